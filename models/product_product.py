from odoo import models


class ProductProduct(models.Model):
    """A HubSpot product: matched by SKU (``hs_sku``) with the internal reference."""

    _name = "product.product"
    _inherit = ["product.product", "hubspot.binding.mixin"]

    def unlink(self):
        """A linked product deleted in Odoo is archived in HubSpot at the next push."""
        self._hubspot_leave_tombstones()
        return super().unlink()
