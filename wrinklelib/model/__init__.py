"""The networks (U-Net, BiSeNet), their checkpoints, input recipe and precision policy."""
