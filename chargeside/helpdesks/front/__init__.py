"""Front: a sidebar plugin (our page in Front's iframe, fed by Front's plugin SDK), comments on the conversation
through Front's Core API, and Front's signed application webhooks."""
