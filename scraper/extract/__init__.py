"""Extract stage: turn one page's HTML into an Article (selectolax is imported here only)."""

from scraper.extract.article import extract_article
from scraper.extract.site_rules import SiteRule, SiteRules, load_site_rules

__all__ = ["SiteRule", "SiteRules", "extract_article", "load_site_rules"]
