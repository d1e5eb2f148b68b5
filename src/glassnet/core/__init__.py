"""The engine of glassnet: the array operations the layers and the loop run on."""
