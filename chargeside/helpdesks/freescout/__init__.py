"""FreeScout (open-source Help Scout clone): its CustomApp module calls us exactly as Help Scout's legacy Dynamic
App does; notes go through its API & Webhooks module."""
