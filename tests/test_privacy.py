"""Masking of personal data for logs and screens (the review app shows masked values)."""

from pipeline.kernel.privacy import mask_field, mask_id, mask_name, mask_phone, mask_text


def test_masks_keep_only_what_identifies_nobody():
    assert mask_id("370602193504071228") == "3706************28"
    assert mask_phone("13912345678") == "139******78"
    assert mask_name("王秀英") == "王**"
    assert mask_field("id_number", "370602193504071228") == mask_id("370602193504071228")
    assert mask_field("sea_area", "崆峒岛海域") == "崆峒岛海域"  # not personal
    masked = mask_text("row 3: 370602193504071228 / 13912345678")
    assert "370602193504071228" not in masked and "13912345678" not in masked
