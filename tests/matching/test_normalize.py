"""Normalisation of the keys every source carries, on values as real exports write them."""

from __future__ import annotations

import pandas as pd
import pytest

from driftcheck.normalize import (
    address_key,
    email_key,
    nicknames,
    parse_names,
    parse_names_distinct,
    phone_key,
    split_deal_title,
    street_key,
    title_key,
)


def keys(values: list, fn=None, **kw) -> list:
    out = (fn or email_key)(pd.Series(values, dtype="string"), **kw)
    return [None if pd.isna(v) else v for v in out]


# --------------------------------------------------------------------------- email


def test_email_case_and_spaces_give_one_key():
    assert keys([" JSmith@Example.COM ", "jsmith@example.com", "Jsmith@example.com"]) == ["jsmith@example.com"] * 3


def test_email_first_of_a_list_and_mailto():
    assert keys(["mailto:Pat@Corp.com", "ann@a.com; bob@b.com", "<ann@a.com>, other@b.com"]) == [
        "pat@corp.com",
        "ann@a.com",
        "ann@a.com",
    ]


@pytest.mark.parametrize("value", ["noemail@gmail.com", "none@none.com", "n/a@na.com", "not an email", "", "-"])
def test_placeholder_and_malformed_emails_identify_nobody(value):
    assert keys([value]) == [None]


# --------------------------------------------------------------------------- phone


@pytest.mark.parametrize(
    "written",
    [
        "(555) 123-4567",
        "555.123.4567",
        "555-123-4567",
        "+1 555 123 4567",
        "1-555-123-4567",
        "001 555 123 4567",
        "(555) 123-4567 ext. 12",
        "555-123-4567 x 3",
        "+1 (555) 123-4567 #204",
        "5551234567",
    ],
)
def test_us_phone_writings_give_one_e164_key(written):
    assert keys([written], phone_key) == ["+15551234567"]


def test_uk_numbers_in_national_and_international_form_with_gb_region():
    got = keys(["020 7946 0958", "+44 20 7946 0958", "0044 20 7946 0958", "+1 555 123 4567"], phone_key, region="GB")
    assert got == ["+442079460958", "+442079460958", "+442079460958", "+15551234567"]


def test_foreign_number_keeps_its_country_under_us_region():
    assert keys(["+44 20 7946 0958"], phone_key) == ["+442079460958"]


@pytest.mark.parametrize("value", ["000-000-0000", "555-555-5555", "123-456-7890", "555-1234", "n/a", ""])
def test_dummy_local_and_empty_phones_identify_nobody(value):
    assert keys([value], phone_key) == [None]


# --------------------------------------------------------------------------- names


def names(values: list, company: list | None = None) -> pd.DataFrame:
    comp = pd.Series(company, dtype="string") if company is not None else None
    return parse_names(pd.Series(values, dtype="string"), comp)


def test_quickbooks_last_first_matches_first_last():
    got = names(["Smith, John", "John Smith", "SMITH, JOHN", "  john   smith "])["name_key"].tolist()
    assert got == ["p:john smith"] * 4


def test_honorifics_suffixes_middle_names_and_initials_dropped():
    got = names(["Mr. John Smith", "Dr. John Q. Smith Jr.", "Smith, John, Jr.", "Mrs. Mary-Ann O'Brien"])
    assert got["name_key"].tolist() == ["p:john smith", "p:john smith", "p:john smith", "p:maryann obrien"]


def test_accents_are_dropped():
    assert names(["José García", "Zoë Müller", "Renée Schäfer"])["name_key"].tolist() == [
        "p:jose garcia",
        "p:zoe muller",
        "p:renee schafer",
    ]


def test_nicknames_resolve_to_one_first_name_but_ambiguous_ones_do_not():
    got = names(["Bob Wilson", "Robert Wilson", "Bill Hart", "Kathy Reyes", "Chris Lee", "Christopher Lee"])
    assert got["first"].tolist() == ["robert", "robert", "william", "katherine", "chris", "christopher"]
    assert "chris" not in nicknames() and "alex" not in nicknames()


def test_first_initial_is_kept_as_an_initial():
    got = names(["J. Smith", "Smith, J"])
    assert got["first"].tolist() == ["j", "j"]
    assert got["initial"].tolist() == ["j", "j"]


def test_couple_and_ampersand_take_the_first_person_and_shared_surname():
    assert names(["John & Mary Smith", "Smith, John and Mary"])["name_key"].tolist() == ["p:john smith"] * 2


def test_company_legal_forms_and_punctuation():
    got = names(["Smith Plumbing, LLC", "SMITH PLUMBING L.L.C.", "Smith Plumbing", "The Smith Plumbing Co."])
    assert got["name_key"].tolist() == ["o:smith plumbing"] * 4
    assert set(got["kind"]) == {"org"}


def test_and_and_ampersand_in_company_names():
    assert names(["Smith & Sons Roofing", "Smith and Sons Roofing Inc"])["name_key"].nunique() == 1


def test_company_column_makes_the_party_a_company():
    got = names(["John Smith", "John Smith"], company=[None, "Harbor View"])
    assert got["kind"].tolist() == ["person", "org"]
    assert got["name_key"].tolist() == ["p:john smith", "o:harbor view"]


def test_distinct_parties_are_parsed_once_and_read_back_by_code():
    # the same text as a customer and as a company is two parties: the company column makes a business
    customer = pd.Series(["Harbor View", "John Smith", None, "Harbor View", "Smith, John", "Ann Lee"], dtype="string")
    company = pd.Series([None, "Harbor View", None, None, "  ", "Lee Plumbing LLC"], dtype="string")
    codes, parties = parse_names_distinct(customer, company)
    assert codes.tolist() == [0, 1, -1, 0, 2, 3]  # first appearance; no party, -1
    assert parties["name_key"].to_pylist() == ["p:harbor view", "o:harbor view", "p:john smith", "o:lee plumbing"]
    rows = parse_names(customer, company)
    for name, col in parties.items():
        back = [col[c].as_py() if c >= 0 else None for c in codes]
        assert back == [None if pd.isna(v) else v for v in rows[name]], name


def test_household_words_leave_the_surname():
    got = names(["Smith Residence", "The Smith Family"])
    assert got["name_key"].tolist() == ["p:smith", "p:smith"]
    assert got["first"].isna().all()


def test_qualifiers_that_tell_same_named_customers_apart():
    got = names(["Chris Lee (Maple Ave)", "Smith, John:12 Oak St", "Chris Lee 2", "Lee, Chris - Maple"])
    assert got["name_key"].tolist() == ["p:chris lee", "p:john smith", "p:chris lee", "p:chris lee"]
    assert got["qualifier"].tolist() == ["maple ave", "12 oak st", "2", "maple"]


def test_written_form_keeps_the_spelling_for_duplicate_evidence():
    got = names(["Smith, John", "John  Smith"])
    assert got["written"].tolist() == ["smith, john", "john smith"]


def test_mixed_plain_and_marked_names_each_get_their_own_treatment():
    # plain ASCII names beside ones needing accent, quote, whitespace, qualifier or household
    # handling: each value gets exactly the steps it needs, whatever its neighbours hold
    got = names(["John Smith", "Zoë O\u2019Brien", "John\tSmith", "Ann Lee", "Chris Lee \u2013 Oak", "Lee Residence", "Bo Li"])
    assert got["name_key"].tolist() == [
        "p:john smith",
        "p:zoe obrien",
        "p:john smith",
        "p:anne lee",  # nickname table
        "p:chris lee",
        "p:lee",
        "p:bo li",
    ]
    assert got["written"].tolist()[:3] == ["john smith", "zoe o'brien", "john smith"]
    assert got["qualifier"].isna().tolist() == [True, True, True, True, False, True, True]
    assert got["qualifier"].iloc[4] == "oak"


def test_deal_names_split_into_customer_and_work():
    got = split_deal_title(pd.Series(["Smith – Kitchen remodel", "John Smith - Bath", "Lee: Deck", "Kitchen remodel"]))
    assert got["name"].tolist()[:3] == ["Smith", "John Smith", "Lee"]
    assert pd.isna(got["name"].iloc[3])
    assert got["work"].tolist() == ["Kitchen remodel", "Bath", "Deck", "Kitchen remodel"]


# --------------------------------------------------------------------------- addresses, titles


def test_address_suffixes_directions_and_units():
    got = keys(
        [
            "123 Main Street, Apt. 4",
            "123 MAIN ST #4",
            "123 main st unit 4",
            "45 North Oak Avenue Suite 200",
            "45 N Oak Ave Ste 200",
        ],
        address_key,
    )
    assert got == ["123 main st unit 4"] * 3 + ["45 n oak ave unit 200"] * 2


def test_addresses_needing_no_rule_beside_ones_that_do(monkeypatch):
    # most service addresses are already short ("12 Oak Ct"): the USPS rules run only on
    # values one of them can change, and every value gets the same key as with all of them
    written = ["12 Oak Ct", "7 Elm Pl", "9 North Elm Street #4", "3 Pine Rd", "5 Bay Ct", "8 Main Avenue Apartment Unit 2"]
    got = keys(written, address_key)
    assert got == ["12 oak ct", "7 elm pl", "9 n elm st unit 4", "3 pine rd", "5 bay ct", "8 main ave unit 2"]
    monkeypatch.setenv("DRIFTCHECK_FASTPATHS", "0")  # the plain twin: every rule on every value
    assert keys(written, address_key) == got


def test_addresses_without_a_number_are_not_keys():
    assert keys(["-", "TBD", ""], address_key) == [None, None, None]


def test_street_key_drops_house_number_and_unit():
    assert keys(["123 Main Street, Apt 4", "Main St.", "9 MAIN ST"], street_key) == ["main st"] * 3


def test_title_key():
    assert keys(["Kitchen Remodel!", "  Déck  rebuild "], title_key) == ["kitchen remodel", "deck rebuild"]


def test_null_inputs_stay_null_everywhere():
    for fn in (email_key, phone_key, address_key, street_key, title_key):
        assert keys([None], fn) == [None]
    assert names([None])["name_key"].isna().all()
