"""Intake of feuilles de soins: check each one, liquidate it with the law of the date of care, store it.

A lot carries the FSE of one professional. Each FSE is taken or rejected on
its own, so the good FSE of a lot are kept when others are refused; a
rejection carries a code and a French label. The same FSE sent twice (same
professional, same number, same content) is one claim: the second sending
returns the first result; the same care under another number is refused
(DOUBLON), the database holding it by a unique index. The patients' yearly
counters of participations and franchises are locked (in a fixed order) and
changed in the same transaction as the claims, so concurrent lots can never
carry a patient past a cap. A lot is liquidated by one vectorized call of the
rules and written in bulk (see lot.py for the steps).

    schemas.py      the lot, the FSE and the lines on the way in; the answer of each FSE; rejection codes
    loading.py      what a lot needs from the database, in a few set-based queries; the counters' locks
    liquidation.py  the lot's lines as one frame for secu.maladie.rules.liquidate
    writing.py      the outcome in bulk: FSE, lines, counters, ledger, access journal
    lot.py          the steps, and the retry of a lot that collides with a concurrent one
"""

from secu.maladie.intake.lot import action_prescrite, care_fingerprint, lines_out, receive_lot, receive_lot_retrying
from secu.maladie.intake.schemas import REJETS, FseIn, LigneIn, LotIn, Rejet, Resultat

__all__ = [
    "REJETS",
    "FseIn",
    "LigneIn",
    "LotIn",
    "Rejet",
    "Resultat",
    "action_prescrite",
    "care_fingerprint",
    "lines_out",
    "receive_lot",
    "receive_lot_retrying",
]
