"""Each linking tier and each job choice, on small record sets shaped like real exports."""

from __future__ import annotations

from driftcheck.linking import MatchSettings, link_records
from tests.matching.helpers import chris_lees, job_of, records, row_of

JOHN = {"customer": "John Smith", "email": "jsmith@gmail.com", "phone": "(555) 201-3344", "address": "12 Oak Street"}


# --------------------------------------------------------------------------- references


def test_jobber_references_put_invoice_payment_and_deposit_on_the_job():
    recs = records(
        ("job", {"record_id": "101", **JOHN, "quote_refs": "88", "amount": 9000, "created": "2025-03-01"}),
        ("jinv", {"record_id": "2001", **JOHN, "job_refs": "101", "amount": 6300, "created": "2025-04-01"}),
        ("jpay", {"record_id": "TX1", "customer": "John Smith", "invoice_refs": "2001", "amount": 6300}),
        ("deposit", {"record_id": "TX2", "customer": "John Smith", "quote_refs": "88", "amount": 2700}),
    )
    res = link_records(recs)
    assert {job_of(res, k, i) for k, i in [("job", "101"), ("jinv", "2001"), ("jpay", "TX1"), ("deposit", "TX2")]} == {
        "J-101"
    }
    assert row_of(res, "jinv", "2001")["link_method"] == "ref:job#"
    assert row_of(res, "deposit", "TX2")["link_method"] == "ref:quote#"
    assert row_of(res, "job", "101")["link_method"] == "anchor"


def test_synced_quickbooks_invoice_joins_by_number_unless_the_customer_plainly_differs():
    recs = records(
        ("job", {"record_id": "101", **JOHN, "amount": 4200}),
        ("jinv", {"record_id": "1043", **JOHN, "job_refs": "101", "amount": 4200}),
        ("qinv", {"record_id": "1043", "customer": "Smith, John", "amount": 4200}),
        ("job", {"record_id": "102", "customer": "Ana Torres", "email": "ana@t.com", "amount": 800}),
        ("jinv", {"record_id": "1050", "customer": "Ana Torres", "job_refs": "102", "amount": 800}),
        # typed straight into QuickBooks, colliding with Jobber's 1050 for another customer
        ("qinv", {"record_id": "1050", "customer": "Brennan Roofing LLC", "amount": 13000}),
    )
    res = link_records(recs)
    assert job_of(res, "qinv", "1043") == "J-101"
    assert row_of(res, "qinv", "1043")["link_method"] == "ref:invoice#"
    assert job_of(res, "qinv", "1050") != "J-102"


def test_invoice_number_matching_can_be_switched_off():
    recs = records(
        ("job", {"record_id": "101", "customer": "Ann Lo", "amount": 100}),
        ("jinv", {"record_id": "7", "customer": "Ann Lo", "job_refs": "101", "amount": 100}),
        ("qinv", {"record_id": "7", "customer": "Zed Quorum", "amount": 100}),
    )
    off = link_records(recs, MatchSettings(match_invoice_numbers=False))
    assert job_of(off, "qinv", "7") == "I-7"


def test_memo_job_number_and_crm_references():
    recs = records(
        ("job", {"record_id": "101", **JOHN, "amount": 5000}),
        ("qinv", {"record_id": "5100", "customer": "J Smith", "title": "Job #101", "job_refs": "101", "amount": 5000}),
        ("deal", {"record_id": "900", "title": "Kitchen", "job_refs": "101", "amount": 5000}),
        ("qinv", {"record_id": "5101", "customer": "Nobody Known", "deal_refs": "900", "amount": 1500}),
    )
    res = link_records(recs)
    assert {job_of(res, "qinv", "5100"), job_of(res, "deal", "900"), job_of(res, "qinv", "5101")} == {"J-101"}
    assert row_of(res, "deal", "900")["link_method"] == "ref:job#"
    assert row_of(res, "qinv", "5101")["link_method"] == "ref:deal"


def test_two_jobs_are_never_merged_and_the_second_reference_is_noted():
    recs = records(
        ("job", {"record_id": "101", **JOHN, "amount": 500}),
        ("job", {"record_id": "102", **JOHN, "amount": 700}),
        ("jinv", {"record_id": "2001", **JOHN, "job_refs": "101, 102", "amount": 1200}),
    )
    res = link_records(recs)
    assert job_of(res, "job", "101") != job_of(res, "job", "102")
    assert job_of(res, "jinv", "2001") == "J-101"
    assert "102" in row_of(res, "jinv", "2001")["link_detail"]


def test_reference_to_nothing_is_reported_as_dangling():
    recs = records(
        ("job", {"record_id": "101", **JOHN}),
        ("jinv", {"record_id": "2001", **JOHN, "job_refs": "999"}),
    )
    res = link_records(recs)
    assert row_of(res, "jinv", "2001")["dangling_ref"] == "job 999"


# --------------------------------------------------------------------------- customer tiers


def _deal_and_job(deal: dict, job: dict, settings: MatchSettings | None = None):
    recs = records(
        ("deal", {"record_id": "900", "title": "Kitchen remodel", "amount": 25000, "closed": "2025-02-01", **deal}),
        ("job", {"record_id": "101", "title": "Kitchen remodel", "amount": 25000, "created": "2025-02-10", **job}),
    )
    res = link_records(recs, settings)
    return job_of(res, "deal", "900"), row_of(res, "deal", "900")


def test_email_tier_ignores_case():
    job, row = _deal_and_job({"customer": "Johnny S", "email": "JSmith@Gmail.com"}, JOHN)
    assert (job, row["link_method"]) == ("J-101", "email")
    assert row["link_confidence"] >= 0.9


def test_phone_tier_across_formats():
    job, row = _deal_and_job({"customer": "J Smith", "phone": "+1 555.201.3344"}, {**JOHN, "email": None})
    assert (job, row["link_method"]) == ("J-101", "phone")


def test_name_tier_last_first_and_nickname():
    job, row = _deal_and_job({"customer": "Smith, Jake"}, {"customer": "John Smith"})
    assert job == "D-900"  # another first name of one family: never a match
    job, row = _deal_and_job({"customer": "Smith, Bob"}, {"customer": "Robert Smith"})
    assert (job, row["link_method"]) == ("J-101", "name")


def test_name_and_address_tier():
    job, row = _deal_and_job(
        {"customer": "Smith, John", "address": "12 Oak St."}, {"customer": "John Smith", "address": "12 OAK STREET"}
    )
    assert (job, row["link_method"]) == ("J-101", "name+address")


def test_fuzzy_tier_catches_a_typo_and_can_be_switched_off():
    job, row = _deal_and_job({"customer": "John Smiht"}, {"customer": "John Smith"})
    assert (job, row["link_method"]) == ("J-101", "fuzzy-name")
    assert row["link_confidence"] < 0.8
    off = MatchSettings(tiers=("reference", "email", "phone", "name"))
    job, _ = _deal_and_job({"customer": "John Smiht"}, {"customer": "John Smith"}, off)
    assert job == "D-900"


def test_first_initial_tier():
    job, row = _deal_and_job({"customer": "J. Smith"}, {"customer": "John Smith"})
    assert (job, row["link_method"]) == ("J-101", "name-initial")


def test_deal_named_only_by_surname():
    job, row = _deal_and_job({"title": "Smith – Kitchen remodel"}, {"customer": "John Smith"})
    assert (job, row["link_method"]) == ("J-101", "surname")
    assert row["link_confidence"] < 0.7


def test_surname_deal_picks_the_job_by_amount_date_and_title_among_several_smiths():
    recs = records(
        ("deal", {"record_id": "900", "title": "Smith - Deck rebuild", "amount": 12400, "closed": "2025-05-02"}),
        (
            "job",
            {
                "record_id": "101",
                "customer": "John Smith",
                "title": "Deck rebuild",
                "amount": 12400,
                "created": "2025-05-09",
            },
        ),
        (
            "job",
            {
                "record_id": "102",
                "customer": "Paula Smith",
                "title": "Roof repair",
                "amount": 3100,
                "created": "2025-01-15",
            },
        ),
    )
    res = link_records(recs)
    assert job_of(res, "deal", "900") == "J-101"
    assert row_of(res, "deal", "900")["link_method"] == "surname"


def test_company_and_owner_sharing_a_phone_stay_apart():
    phone = "(555) 700-1000"
    recs = records(
        ("job", {"record_id": "101", "customer": "Patel Electric LLC", "phone": phone, "amount": 8000}),
        ("job", {"record_id": "102", "customer": "Dave Patel", "phone": phone, "amount": 1200}),
        ("qinv", {"record_id": "5001", "customer": "Patel Electric", "amount": 8000}),
        ("qinv", {"record_id": "5002", "customer": "Patel, Dave", "amount": 1200}),
    )
    res = link_records(recs)
    assert job_of(res, "qinv", "5001") == "J-101"
    assert job_of(res, "qinv", "5002") == "J-102"
    assert res.duplicates.empty


# --------------------------------------------------------------------------- choosing the job within a customer


def test_deposit_and_final_invoices_find_their_job_among_two():
    recs = records(
        (
            "job",
            {
                "record_id": "101",
                **JOHN,
                "title": "Kitchen remodel",
                "amount": 25000,
                "created": "2025-03-01",
                "completed": "2025-04-20",
                "state": "completed",
            },
        ),
        ("job", {"record_id": "102", **JOHN, "title": "Deck rebuild", "amount": 8000, "created": "2025-09-01"}),
        # QuickBooks, typed by hand: 30% deposit, the rest after completion, and the deck in full
        ("qinv", {"record_id": "5001", "customer": "Smith, John", "amount": 7500, "created": "2025-02-26"}),
        ("qinv", {"record_id": "5002", "customer": "Smith, John", "amount": 17500, "created": "2025-04-22"}),
        ("qinv", {"record_id": "5003", "customer": "Smith, John", "amount": 8000, "created": "2025-09-30"}),
    )
    res = link_records(recs)
    assert [job_of(res, "qinv", i) for i in ("5001", "5002", "5003")] == ["J-101", "J-101", "J-102"]
    assert "30% of job total" in row_of(res, "qinv", "5001")["link_detail"]
    assert row_of(res, "qinv", "5003")["link_choice"] != "only job"


def test_deal_goes_to_the_job_it_precedes_with_its_amount():
    recs = records(
        ("deal", {"record_id": "900", **JOHN, "title": "Smith - Bathroom", "amount": 14000, "closed": "2025-06-01"}),
        ("deal", {"record_id": "901", **JOHN, "title": "Smith - Fence", "amount": 4300, "closed": "2025-01-10"}),
        ("job", {"record_id": "101", **JOHN, "title": "Fence installation", "amount": 4300, "created": "2025-01-20"}),
        ("job", {"record_id": "102", **JOHN, "title": "Bathroom", "amount": 14500, "created": "2025-06-12"}),
    )
    res = link_records(recs)
    assert job_of(res, "deal", "900") == "J-102"
    assert job_of(res, "deal", "901") == "J-101"


def test_payment_without_reference_finds_its_invoice_by_amount_and_date():
    recs = records(
        ("job", {"record_id": "101", **JOHN, "amount": 900, "created": "2025-01-05"}),
        ("job", {"record_id": "102", **JOHN, "amount": 2400, "created": "2025-05-05"}),
        (
            "qinv",
            {"record_id": "5001", "customer": "Smith, John", "job_refs": "101", "amount": 900, "created": "2025-01-20"},
        ),
        (
            "qinv",
            {
                "record_id": "5002",
                "customer": "Smith, John",
                "job_refs": "102",
                "amount": 2400,
                "created": "2025-05-20",
            },
        ),
        ("qpay", {"record_id": "77", "customer": "Smith, John", "amount": 2400, "created": "2025-06-02"}),
    )
    res = link_records(recs)
    assert job_of(res, "qpay", "77") == "J-102"
    assert row_of(res, "qpay", "77")["link_method"] == "amount+date"


def test_payment_for_the_only_open_job():
    recs = records(
        ("job", {"record_id": "101", **JOHN, "amount": 900, "state": "completed", "completed": "2025-01-09"}),
        ("job", {"record_id": "102", **JOHN, "amount": 6000, "state": "scheduled", "created": "2025-05-05"}),
        ("qpay", {"record_id": "77", "customer": "Smith, John", "amount": 1800, "created": "2025-05-02"}),
    )
    res = link_records(recs)
    assert job_of(res, "qpay", "77") == "J-102"
    assert row_of(res, "qpay", "77")["link_choice"] == "only open job"


# --------------------------------------------------------------------------- never guess


def test_two_customers_with_one_name_make_the_invoice_ambiguous():
    res = link_records(chris_lees())
    assert job_of(res, "qinv", "5001") == "I-5001"
    assert job_of(res, "qpay", "9") == "I-5001"  # the payment follows its invoice, no further
    amb = res.ambiguous.set_index("record_id").loc["5001"]
    assert amb["candidates"] == "J-101,J-102"
    assert amb["reason"] == "the name 'Chris Lee' fits 2 different customers"


def test_one_customer_two_equal_open_jobs_make_the_bill_ambiguous():
    recs = records(
        ("job", {"record_id": "101", **JOHN, "title": "Gutter cleaning", "amount": 350, "created": "2025-10-01"}),
        ("job", {"record_id": "102", **JOHN, "title": "Gutter cleaning", "amount": 350, "created": "2025-10-02"}),
        ("qinv", {"record_id": "5001", "customer": "Smith, John", "amount": 350, "created": "2025-10-04"}),
        ("qpay", {"record_id": "77", "customer": "Smith, John", "amount": 350, "created": "2025-10-20"}),
    )
    res = link_records(recs)
    assert job_of(res, "qinv", "5001") == "I-5001"
    amb = res.ambiguous.set_index("record_id")
    assert amb.loc["5001", "candidates"] == "J-101,J-102"


def test_two_deals_for_one_job_never_both_join_and_a_tie_is_reported():
    recs = records(
        ("deal", {"record_id": "900", **JOHN, "title": "Smith - Roof", "amount": 5000, "closed": "2025-03-01"}),
        ("deal", {"record_id": "901", **JOHN, "title": "Smith - Roof", "amount": 5000, "closed": "2025-03-01"}),
        ("job", {"record_id": "101", **JOHN, "title": "Roof", "amount": 5000, "created": "2025-03-08"}),
    )
    res = link_records(recs)
    assert {job_of(res, "deal", "900"), job_of(res, "deal", "901")} == {"D-900", "D-901"}
    assert set(res.ambiguous["record_id"]) == {"900", "901"}


# --------------------------------------------------------------------------- duplicates


def test_duplicate_customer_same_phone_two_names_in_one_system():
    recs = records(
        ("job", {"record_id": "101", "customer": "John Fairbanks", "phone": "555-301-2222"}),
        ("job", {"record_id": "102", "customer": "Jon Fairbanks", "phone": "(555) 301-2222"}),
    )
    res = link_records(recs)
    (dup,) = res.duplicates.itertuples()
    assert (dup.system, dup.names, dup.evidence) == (
        "jobber",
        "John Fairbanks; Jon Fairbanks",
        "same phone +15553012222",
    )
    assert dup.records == {"jobber_jobs.csv": ["101", "102"]}
    # one customer, two jobs: the jobs stay apart
    assert job_of(res, "job", "101") != job_of(res, "job", "102")


def test_duplicate_near_identical_names_at_one_address():
    recs = records(
        ("job", {"record_id": "101", "customer": "Katherine Whitcombe", "email": "kw@a.com", "address": "8 Elm St"}),
        ("job", {"record_id": "102", "customer": "Kathy Whitcombe", "email": "kathy@b.com", "address": "8 ELM STREET"}),
    )
    res = link_records(recs)
    assert len(res.duplicates) == 1
    assert "near-identical names at 8 elm st" in res.duplicates["evidence"].iloc[0]


def test_relatives_at_one_address_are_not_duplicates():
    recs = records(
        ("job", {"record_id": "101", "customer": "John Smith", "email": "john@a.com", "address": "12 Oak St"}),
        ("job", {"record_id": "102", "customer": "Mary Smith", "email": "mary@b.com", "address": "12 Oak Street"}),
        ("qinv", {"record_id": "5001", "customer": "Smith, Mary", "amount": 10}),
    )
    res = link_records(recs)
    assert res.duplicates.empty
    assert job_of(res, "qinv", "5001") == "J-102"


def test_same_customer_written_two_ways_in_quickbooks():
    recs = records(
        ("qinv", {"record_id": "5001", "customer": "Lindgren, Robert"}),
        ("qinv", {"record_id": "5002", "customer": "Bob Lindgren"}),
    )
    res = link_records(recs)
    assert res.duplicates["names"].tolist() == ["Lindgren, Robert; Bob Lindgren"]


# --------------------------------------------------------------------------- bookkeeping


def test_every_input_row_is_kept_in_order_with_the_new_columns():
    recs = records(
        ("job", {"record_id": "101", **JOHN}),
        ("job", {"record_id": "101", **JOHN}),  # the same job twice (overlapping exports)
        ("jinv", {"record_id": "2001", **JOHN, "job_refs": "101"}),
    )
    res = link_records(recs)
    assert len(res.records) == 3
    assert res.records["record_id"].tolist() == ["101", "101", "2001"]
    assert res.records["job"].tolist() == ["J-101"] * 3
    for col in ("job", "link_method", "link_confidence", "customer_key", "link_choice", "link_detail", "dangling_ref"):
        assert col in res.records.columns
    assert res.records["customer_key"].nunique() == 1
    assert list(res.links.columns[:6]) == ["source_a", "record_a", "source_b", "record_b", "method", "confidence"]


def test_linking_without_edges_decides_the_same_jobs_and_says_edges_were_not_kept():
    # a scan links with keep_links=False: the jobs and methods must not change; the evidence
    # (edges and link_detail sentences) is kept only when asked for
    import pandas as pd
    import pytest

    recs = records(
        ("job", {"record_id": "101", **JOHN, "quote_refs": "88", "amount": 9000}),
        ("jinv", {"record_id": "2001", **JOHN, "job_refs": "101", "amount": 9000}),
        ("qinv", {"record_id": "2001", "customer": "Smith, John", "amount": 9000}),
        ("deposit", {"record_id": "TX2", "customer": "John Smith", "quote_refs": "88", "amount": 2700}),
        ("job", {"record_id": "102", "customer": "Ana Torres", "email": "ana@t.com", "amount": 800}),
    )
    kept, lean = link_records(recs), link_records(recs, keep_links=False)
    pd.testing.assert_frame_equal(kept.records.drop(columns="link_detail"), lean.records.drop(columns="link_detail"))
    assert kept.records["link_detail"].notna().sum() >= 3
    assert lean.records["link_detail"].isna().all()
    assert lean.records["link_detail"].dtype == kept.records["link_detail"].dtype
    assert len(kept.links) >= 3
    with pytest.raises(ValueError, match="keep_links=True"):
        lean.links


def test_placeholder_office_phone_is_not_evidence():
    office = "(555) 000-1234"
    recs = records(
        *[
            ("job", {"record_id": str(100 + i), "customer": n, "phone": office})
            for i, n in enumerate(["Ann Ray", "Bo Diaz", "Cy Wu", "Di Fox", "Ed Kim", "Flo Ng"])
        ]
    )
    res = link_records(recs)
    assert res.duplicates.empty
    assert any("+15550001234" in w for w in res.warnings)


def test_empty_frame():
    res = link_records(records())
    assert res.records.empty and res.links.empty and res.ambiguous.empty and res.duplicates.empty


def test_same_name_inside_one_system_joins_unless_two_customers_hold_it(monkeypatch):
    # Jobber knows two Matt Johnsons (two emails): a bare "Matt Johnson" invoice joins neither;
    # "Lee, Ann" on a bare invoice is the one Ann Lee, written another way (a duplicate)
    recs = records(
        ("job", {"record_id": "101", "customer": "Matt Johnson", "email": "mj@gmail.com", "amount": 900}),
        ("job", {"record_id": "102", "customer": "Matt Johnson", "email": "matt.j@yahoo.com", "amount": 4000}),
        ("jinv", {"record_id": "7", "customer": "Matt Johnson", "amount": 900}),
        ("job", {"record_id": "201", "customer": "Ann Lee", "email": "ann@lee.com", "amount": 300}),
        ("jinv", {"record_id": "8", "customer": "Lee, Ann", "amount": 300}),
    )
    res = link_records(recs)
    assert job_of(res, "jinv", "7") == "I-7"
    assert res.ambiguous.set_index("record_id").loc["7", "candidates"] == "J-101,J-102"
    assert job_of(res, "jinv", "8") == "J-201"
    assert res.duplicates["names"].tolist() == ["Ann Lee; Lee, Ann"]
    monkeypatch.setenv("DRIFTCHECK_FASTPATHS", "0")  # the plain twin (pandas groupby and sort)
    plain = link_records(recs)
    assert plain.records["job"].tolist() == res.records["job"].tolist()
    assert plain.records["customer_key"].tolist() == res.records["customer_key"].tolist()
    assert plain.duplicates.equals(res.duplicates)
    assert plain.ambiguous.equals(res.ambiguous)


def test_one_node_per_system_type_and_id_and_payments_also_by_customer(monkeypatch):
    # a job and an invoice numbered alike, and one number in two systems, are different records;
    # a cheque number two customers wrote is two payments; a row exported twice is one record
    rows = [
        ("job", {"record_id": "1092", "customer": "Ann Lee", "email": "ann@lee.com"}),
        ("jinv", {"record_id": "1092", "customer": "Bo Park", "email": "bo@park.com", "amount": 50}),
        ("qinv", {"record_id": "1092", "customer": "Gil Ho", "email": "gil@ho.com", "amount": 70}),
        ("qpay", {"record_id": "77", "customer": "Cy Diaz", "amount": 100, "created": "2026-03-02"}),
        ("qpay", {"record_id": "77", "customer": "Di Evans", "amount": 250, "created": "2026-03-02"}),
        ("qpay", {"record_id": "77", "customer": "Cy Diaz", "amount": 100, "created": "2026-03-02"}),
        ("jinv", {"record_id": "1092", "customer": "Bo Park", "email": "bo@park.com", "amount": 50}),
    ]
    recs = records(*[(kind, {**fields, "row": i + 2}) for i, (kind, fields) in enumerate(rows)])
    jobs = link_records(recs).records["job"].tolist()
    assert jobs == [
        "J-1092",
        "I-1092@jobber",
        "I-1092@quickbooks",
        "P-77@quickbooks#5",
        "P-77@quickbooks#6",
        "P-77@quickbooks#5",
        "I-1092@jobber",
    ]
    monkeypatch.setenv("DRIFTCHECK_FASTPATHS", "0")  # the plain twin: one combined code per row, factorised
    assert link_records(recs).records["job"].tolist() == jobs
