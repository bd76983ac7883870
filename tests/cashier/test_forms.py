"""The payment gateway form: its simulator settings are finite numbers of the shape the simulator reads."""

import pytest

from cashier.forms import PaymentGatewayForm
from cashier.simulator import SIMULATION_SETTINGS

pytestmark = pytest.mark.django_db


def _simulation(value):
    form = PaymentGatewayForm({"code": "sim", "name": "Sim", "is_simulated": "on", "simulation": value})
    return form.cleaned_data.get("simulation") if form.is_valid() else form.errors["simulation"]


def test_settings_the_simulator_reads_are_accepted():
    settings = ('{"fail_rate": 0.1, "timeout_rate": 0, "duplicate_rate": 1, "payout_fail_rate": 0.05, '
                '"delay_seconds": 3, "webhook_loss_rate": 0.01, "status_query_fail_rate": 0.5}')
    assert _simulation(settings) == {"fail_rate": 0.1, "timeout_rate": 0, "duplicate_rate": 1,
                                     "payout_fail_rate": 0.05, "delay_seconds": 3, "webhook_loss_rate": 0.01,
                                     "status_query_fail_rate": 0.5}
    assert set(_simulation(settings)) == set(SIMULATION_SETTINGS)


@pytest.mark.parametrize("empty", ["", "null", "{}"])
def test_an_empty_box_means_no_settings(empty):
    assert _simulation(empty) == {}


@pytest.mark.parametrize(("value", "message"), [
    ("1e309", "finite"), ("NaN", "finite"), ("-Infinity", "finite"), ('{"fail_rate": Infinity}', "finite"),
    ("[0.1]", "An object"), ('"fast"', "An object"), ('{"fail_rte": 0.1}', "Unknown setting"),
    ('{"fail_rate": 1.5}', "from 0 to 1"), ('{"fail_rate": true}', "from 0 to 1"),
    ('{"delay_seconds": "3"}', "from 0 to 3600"), ('{"delay_seconds": -1}', "from 0 to 3600"),
])
def test_anything_else_is_a_form_error(value, message):
    errors = _simulation(value)
    assert isinstance(errors, list) and message in " ".join(errors)
