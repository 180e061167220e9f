"""Red flags on small stories of hand-written consignments."""

from __future__ import annotations

from precursorwatch.screening.flags import FLAGS
from tests.records.contract_rows import row
from tests.screening.conftest import Screen

# An importer's ordinary trade: ten consignments of pseudoephedrine from one exporter,
# notified, paid by letter of credit, a month apart.
ROUTINE = [row(shipment_id=f"H{i}", declared_at=f"2026-{i + 1:02d}-03", quantity="500",
               pen_reference=f"PEN-{i}", importer_id="EIN 12-3456789")
           for i in range(10)]


def test_routine_repeat_order_raises_no_flag(screen: Screen) -> None:
    found = screen(ROUTINE, [row(shipment_id="N1", declared_at="2026-11-03", quantity="550",
                                 pen_reference="PEN-11", importer_id="EIN 12-3456789")])
    assert set(found.fired(0)) <= {"transit_detour"}  # the routine row's route is its own
    assert not found.scored.table.column("flagged")[0].as_py()


def test_extraordinary_quantity_says_the_multiple(screen: Screen) -> None:
    found = screen(ROUTINE, [row(shipment_id="N1", declared_at="2026-11-03", quantity="5000",
                                 pen_reference="PEN-11", importer_id="EIN 12-3456789")])
    said = found.fired(0)
    assert said["quantity_above_history"] == (
        "5000 kg of pseudoephedrine is 10 times this importer's usual consignment of it.")
    assert found.scored.table.column("flagged")[0].as_py()
    assert found.scored.table.column("reasons")[0].as_py().startswith("5000 kg")


def test_missing_notification_for_table_i_substance(screen: Screen) -> None:
    found = screen(ROUTINE, [row(shipment_id="N1", declared_at="2026-11-03", quantity="500",
                                 importer_id="EIN 12-3456789")])
    assert found.fired(0)["no_pen"] == ("A pre-export notification is expected for "
                                        "pseudoephedrine from IN to US, but none is cited.")


def test_orders_split_under_the_monthly_threshold(screen: Screen) -> None:
    # Benzaldehyde: 4 kg import/export threshold, cumulative over a calendar month
    # (21 CFR 1310.04); three orders of 3.5 kg in a fortnight.
    orders = [row(shipment_id=f"N{i}", declared_at=f"2026-11-{3 + 5 * i:02d}",
                  product_description="Benzaldehyde 99%", cas_number="100-52-7",
                  hs_code="2912.21", quantity="3.5", transport_mode="courier")
              for i in range(3)]
    found = screen([], orders)
    assert "split_orders" not in found.fired(0)
    assert found.fired(2)["split_orders"] == (
        "3 consignments of benzaldehyde in 30 days, each under the US threshold of 4 kg, "
        "together 2.6 times it.")


def test_forwarder_as_consignee(screen: Screen) -> None:
    found = screen(ROUTINE, [row(shipment_id="N1", declared_at="2026-11-03", quantity="500",
                                 pen_reference="PEN-11", importer_id="EIN 12-3456789",
                                 consignee_name="Gulf Star Freight Forwarding FZE")])
    assert found.fired(0)["forwarder_consignee"] == (
        "Consigned to Gulf Star Freight Forwarding FZE, a freight forwarder, instead of the "
        "importer.")


def test_detour_through_hubs_the_lane_never_uses(screen: Screen) -> None:
    routine = [{**r, "transit_countries": ""} for r in ROUTINE]
    found = screen(routine, [row(shipment_id="N1", declared_at="2026-11-03", quantity="500",
                                 pen_reference="PEN-11", importer_id="EIN 12-3456789",
                                 transit_countries="BJ;TR")])
    assert found.fired(0)["transit_detour"] == (
        "Routed through BJ;TR, which ordinary consignments from IN to US do not pass.")


def test_designer_precursor_declared_honestly(screen: Screen) -> None:
    found = screen([], [row(shipment_id="N1", product_description="1-Benzyl-4-piperidone 99%",
                            cas_number="3612-20-2", hs_code="2933.39", quantity="200")])
    said = found.fired(0)
    assert "designer_precursor" in said
    assert "4-piperidone" in said["designer_precursor"]
    assert found.column("substances") == [""]


def test_cash_payment_for_controlled_goods(screen: Screen) -> None:
    found = screen(ROUTINE, [row(shipment_id="N1", declared_at="2026-11-03", quantity="500",
                                 pen_reference="PEN-11", payment_method="cash")])
    assert found.fired(0)["cash_or_crypto_payment"] == "Paid in cash for controlled goods."


def test_unit_price_far_from_the_market_says_how_far(screen: Screen) -> None:
    # The routine rows' price per kg, then one at a twentieth of it, or at 20 times it.
    price = [{**r, "declared_value": "5000"} for r in ROUTINE]
    for value, words in (("250", "20 times below"), ("100000", "20 times above")):
        found = screen(price, [row(shipment_id="N1", declared_at="2026-11-03", quantity="500",
                                   declared_value=value, pen_reference="PEN-11",
                                   importer_id="EIN 12-3456789")])
        assert found.fired(0)["price_off_market"] == (
            f"The declared unit price is {words} the usual price of these goods.")


def test_vague_end_use_quotes_it_or_says_none_was_given(screen: Screen) -> None:
    found = screen(ROUTINE, [
        row(shipment_id="N1", declared_at="2026-11-03", quantity="500", end_use="Trading",
            pen_reference="PEN-11", importer_id="EIN 12-3456789"),
        row(shipment_id="N2", declared_at="2026-11-04", quantity="500", end_use="",
            pen_reference="PEN-12", importer_id="EIN 12-3456789")])
    assert found.fired(0)["vague_end_use"] == (
        'The declared end use ("Trading") does not say what the goods are for.')
    assert found.fired(1)["vague_end_use"] == (
        "The declared end use (none given) does not say what the goods are for.")


def test_uncontrolled_goods_raise_no_controlled_goods_flags(screen: Screen) -> None:
    found = screen([], [row(shipment_id="N1", product_description="Paracetamol IP",
                            cas_number="103-90-2", hs_code="2924.29", payment_method="cash",
                            consignee_name="Gulf Star Freight Forwarding FZE")])
    assert found.fired(0) == {}
    assert found.scored.table.column("score")[0].as_py() < 0.05


def test_every_flag_cites_its_source_and_reads_as_a_sentence() -> None:
    names = [f.name for f in FLAGS]
    assert len(names) == len(set(names))
    for item in FLAGS:
        assert item.template.endswith(".") or item.template.endswith("}"), item.name
        assert item.weight > 0
        assert item.test.__doc__ and len(item.test.__doc__.split("\n\n")) >= 2, item.name
