"""One story across outlets: group coverage of one event by signature, title, key terms and time."""

from scraper.stories.decision import SAME_STORY_SCORE, STORY_WINDOW_S, StoryDoc, same_story
from scraper.stories.index import Story, StoryAssignment, StoryIndex
from scraper.stories.signature import Signature, signature
from scraper.stories.tokens import title_tokens

__all__ = [
    "SAME_STORY_SCORE",
    "STORY_WINDOW_S",
    "Signature",
    "Story",
    "StoryAssignment",
    "StoryDoc",
    "StoryIndex",
    "same_story",
    "signature",
    "title_tokens",
]
