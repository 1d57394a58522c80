"""The protocol faces: thin HTTP adapters over the services (INGInious ``/api/v0``, Jutge ``/services``)."""
