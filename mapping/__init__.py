"""mapping: the spec as versioned data, header matching, normalizers, record building and validation.

Imports nothing of ours but `pipeline` models and errors.
"""
from .flags import FLAGS, describe
from .headers import ColumnMatch, clean_header, detect_kind, map_columns
from .normalize import (
    Normalized,
    ashes_destination,
    birth_date_from_id,
    convert_15_to_18,
    death_cause,
    division_from_id,
    id_check_digit,
    is_valid_id,
    normalize_address,
    normalize_age,
    normalize_cert_no,
    normalize_code,
    normalize_count,
    normalize_date,
    normalize_division,
    normalize_id_number,
    normalize_name,
    normalize_phone,
    normalize_sea_area,
    normalize_sex,
    normalize_text,
    relation,
    sex_from_id,
)
from .places import PlaceHit, PlaceScan, scan_places
from .record import RecordContext, build_record
from .spec import CodeTable, Division, FieldSpec, KindSpec, Place, PlaceLexicon, Rules, Spec, load_spec

__all__ = [
    "FLAGS", "describe",
    "ColumnMatch", "clean_header", "detect_kind", "map_columns",
    "Normalized", "ashes_destination", "birth_date_from_id", "convert_15_to_18", "death_cause", "division_from_id",
    "id_check_digit", "is_valid_id", "normalize_address", "normalize_age", "normalize_cert_no", "normalize_code",
    "normalize_count", "normalize_date", "normalize_division", "normalize_id_number", "normalize_name",
    "normalize_phone", "normalize_sea_area", "normalize_sex", "normalize_text", "relation", "sex_from_id",
    "PlaceHit", "PlaceScan", "scan_places",
    "RecordContext", "build_record",
    "CodeTable", "Division", "FieldSpec", "KindSpec", "Place", "PlaceLexicon", "Rules", "Spec", "load_spec",
]
