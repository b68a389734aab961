"""Training: one stage lifecycle and one loop for pretraining and finetuning."""
