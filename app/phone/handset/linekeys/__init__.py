"""Line keys: the configured keys (config), what each type does (table, one module per type),
and how they fill the ten physical keys and their pages (layout)."""
