"""A walkthrough on a throwaway store that shows each promise with real output."""

from __future__ import annotations

import threading
from collections.abc import Callable

import leadcore
from leadcore.domain.errors import LeadCoreError
from leadcore.domain.lead_ids import LeadIdFormat

# The refusals the walkthrough shows, in order.
DEMO_CODES: tuple[str, ...] = (
    "CONCURRENT_MODIFICATION",
    "DUPLICATE_CIN",
    "INVALID_STATUS_TRANSITION",
    "USER_INACTIVE",
)
PARALLEL_CREATES = 8

Say = Callable[[str], None]


def run_demo(core: leadcore.LeadCore, say: Say) -> list[str]:
    """Run the walkthrough on an empty ``core``; print through ``say``; return the codes shown."""
    shown: list[str] = []

    def refused(title: str, action: Callable[[], object]) -> None:
        try:
            action()
        except LeadCoreError as exc:
            shown.append(exc.code.value)
            say(f"  refused: {exc.code.value} - {exc.user_message} {exc.context}")
        else:
            raise AssertionError(f"{title} was not refused")

    core.create_schema()
    admin = core.users.bootstrap_admin(email="asha@example.in", name="Asha (admin)")
    ravi = core.users.create(
        admin.id, {"email": "ravi@example.in", "name": "Ravi", "role": "REVIEWER"}
    )
    meena = core.users.create(
        admin.id, {"email": "meena@example.in", "name": "Meena", "role": "REVIEWER"}
    )
    sita = core.users.create(
        admin.id, {"email": "sita@example.in", "name": "Sita", "role": "ASSESSOR"}
    )
    say(f"users: {admin.name}, {ravi.name} and {meena.name} (reviewers), {sita.name} (assessor)")

    lead = core.leads.create(
        ravi.id,
        {
            "company_name": "Acme Tools Pvt Ltd",
            "cin": "u72900ka2015ptc012345",
            "contact_email": "ops@acme.in",
        },
    )
    say(
        f"\n1. Ravi creates {lead.id} for {lead.company_name} (CIN {lead.cin}), version "
        f"{lead.version}"
    )

    say("\n2. Two tabs open the lead at version 1; Ravi saves first, Meena's save is stale")
    ravi_copy = core.leads.get(ravi.id, lead.id)
    meena_copy = core.leads.get(meena.id, lead.id)
    saved = core.leads.update(
        ravi.id, lead.id, {"city": "Bengaluru"}, expected_version=ravi_copy.version
    )
    say(f"  Ravi saved: city={saved.city}, version {saved.version}")
    refused(
        "the stale save",
        lambda: core.leads.update(
            meena.id, lead.id, {"city": "Mysuru"}, expected_version=meena_copy.version
        ),
    )

    say("\n3. Someone registers the same company again (CIN in lower case, spaces around)")
    refused(
        "the duplicate CIN",
        lambda: core.leads.create(
            meena.id, {"company_name": "Acme Again", "cin": "  u72900ka2015ptc012345 "}
        ),
    )

    say("\n4. A lead cannot jump from NEW to COMPLETED")
    refused(
        "the status jump",
        lambda: core.leads.change_status(
            ravi.id, lead.id, "COMPLETED", expected_version=saved.version
        ),
    )

    assigned = core.leads.assign_assessor(ravi.id, lead.id, sita.id, expected_version=saved.version)
    say(
        f"\n5. Ravi assigns {assigned.id} to Sita: status {assigned.status.value}, "
        f"version {assigned.version}"
    )
    core.users.deactivate(admin.id, meena.id)
    say("   Asha deactivates Meena; Meena tries to create a lead")
    refused(
        "the deactivated user",
        lambda: core.leads.create(
            meena.id, {"company_name": "Beta Pvt Ltd", "cin": "U12345MH2020PTC123456"}
        ),
    )

    _parallel_creates(core, ravi.id, say)

    say(f"\n7. The audit trail of {lead.id}")
    names = {user.id: user.name for user in (admin, ravi, meena, sita)}
    for entry in core.audit.for_lead(ravi.id, lead.id):
        say(
            f"  {entry.at:%H:%M:%S.%f} {entry.action.value:<20} by "
            f"{names.get(entry.actor_id, entry.actor_id)}: {dict(entry.old)} -> {dict(entry.new)}"
        )
    report = core.audit.verify(admin.id)
    state = "whole" if report.ok else f"BROKEN at position {report.position}"
    say(f"  every audit chain re-hashed by audit.verify: {state} ({report.checked} entries)")
    return shown


def _parallel_creates(core: leadcore.LeadCore, actor_id: str, say: Say) -> None:
    """Create leads from several threads at once and show that their ids have no gap."""
    say(f"\n6. {PARALLEL_CREATES} threads create a lead each at the same moment")
    ids: list[str] = []
    failures: list[str] = []
    lock = threading.Lock()
    start = threading.Barrier(PARALLEL_CREATES)

    def create(n: int) -> None:
        start.wait()
        data = {"company_name": f"Parallel {n} Pvt Ltd", "cin": f"U72900KA2016PTC{n:06d}"}
        try:
            made = core.leads.create(actor_id, data)
        except LeadCoreError as exc:
            with lock:
                failures.append(exc.code.value)
            return
        with lock:
            ids.append(made.id)

    threads = [threading.Thread(target=create, args=(n,)) for n in range(1, PARALLEL_CREATES + 1)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    id_format = LeadIdFormat()
    numbers = sorted(parsed[1] for lead_id in ids if (parsed := id_format.parse(lead_id)))
    gapless = (
        not failures
        and len(set(numbers)) == PARALLEL_CREATES
        and numbers[-1] - numbers[0] == PARALLEL_CREATES - 1
    )
    if not gapless:
        raise AssertionError(f"parallel creates gave {sorted(ids)}, refused {failures}")
    say("  " + ", ".join(sorted(ids)) + " - unique and gapless")
