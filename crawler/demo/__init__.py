"""The bundled demo site: several origins on 127.0.0.1, each showing Heed deny something."""
