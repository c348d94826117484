from xiaoneng.charts.convention import *  # noqa: F401,F403
from xiaoneng.charts.convention import _missing  # noqa: F401
