"""Settings of one LeadCore: how ids look, and (for SQL stores) how the pool behaves."""

from __future__ import annotations

import attrs

from leadcore.domain.lead_ids import LeadIdFormat


@attrs.frozen
class Settings:
    """Everything a deployment may tune; the defaults suit a laptop and the tests."""

    lead_id_prefix: str = "LEAD"
    lead_id_width: int = 4
    lead_id_timezone: str = "UTC"

    def lead_id_format(self) -> LeadIdFormat:
        """Return the lead id format these settings describe (validated)."""
        return LeadIdFormat(self.lead_id_prefix, self.lead_id_width, self.lead_id_timezone)
