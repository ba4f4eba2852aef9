"""My data: what the platform stores about me, as a page and as downloads, and my certificates."""
