"""Help Scout: the legacy Dynamic App (a signed JSON callback answered with sidebar HTML) and notes through
the Mailbox API 2.0. FreeScout's CustomApp module speaks the same callback (`helpdesks/freescout/`)."""
