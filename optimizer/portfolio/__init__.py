"""Portfolios: many sites under one shared budget, solved as one certified exact problem.

- :mod:`.spec`: the portfolio TOML, read and checked (every problem at once);
- :mod:`.build`: each site read, scored and compiled (worker processes), its own rows kept;
- :mod:`.join`: the sites joined under the shared budget row; the budget's dual price and each
  site's marginal value;
- :mod:`.run`: :func:`optimize_portfolio` (solve, ±10 % budget moves, budget front);
- :mod:`.write`: the run folder.
"""

from .join import Joined, SitePart, budget_dual_price, join_sites, site_marginals
from .run import PortfolioResult, budget_front, budget_shifts, optimize_portfolio, solve_joined
from .spec import PORTFOLIO_OBJECTIVES, PortfolioSite, PortfolioSpec, load_portfolio, resolve_portfolio

__all__ = ["PortfolioSpec", "PortfolioSite", "PortfolioResult", "Joined", "SitePart", "PORTFOLIO_OBJECTIVES",
           "load_portfolio", "resolve_portfolio", "join_sites", "solve_joined", "budget_dual_price",
           "site_marginals", "budget_shifts", "budget_front", "optimize_portfolio"]
