"""The settings dialog (Qt): a tab per area of Settings, OK / Cancel / Apply."""
