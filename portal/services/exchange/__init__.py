"""The exchange: requests, offers and selection, conversations and files,
completion and reviews, and who may see which row."""
