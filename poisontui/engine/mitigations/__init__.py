"""The article's four families of mitigation, each a named, parameterised technique."""

from poisontui.engine.mitigations.anomaly import IsolationForestFilter, LabelIssues, LOFFilter
from poisontui.engine.mitigations.base import FAMILIES, Mitigated, Mitigation
from poisontui.engine.mitigations.certified_knn import CertifiedKNN
from poisontui.engine.mitigations.privacy import DPLogReg
from poisontui.engine.mitigations.robustness import Bagging, Regularize
from poisontui.engine.mitigations.spectral import SpectralSignatures
from poisontui.engine.mitigations.sphere_slab import SphereSlab
from poisontui.engine.mitigations.trim import Trim
from poisontui.engine.mitigations.validation import KNNSanitize, ZScoreFilter

MITIGATIONS: dict[str, type[Mitigation]] = {
    cls.name: cls
    for cls in (ZScoreFilter, KNNSanitize, SphereSlab, IsolationForestFilter, LOFFilter, LabelIssues, SpectralSignatures,
                DPLogReg, Bagging, CertifiedKNN, Trim, Regularize)
}

__all__ = ["FAMILIES", "MITIGATIONS", "Mitigated", "Mitigation"]
