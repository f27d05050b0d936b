from odoo import models


class ProductProduct(models.Model):
    """A HubSpot product: matched by SKU (``hs_sku``) with the internal reference."""

    _name = "product.product"
    _inherit = ["product.product", "hubspot.binding.mixin"]
