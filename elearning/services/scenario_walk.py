"""Walking through a branching scenario scene by scene; the path is not stored per person."""

from __future__ import annotations

from dataclasses import dataclass

from ..content import Scenario, ScenarioChoice, Scene
from .errors import NotFound


@dataclass(frozen=True)
class Step:
    """The scene to show, and the choice (with its feedback) that led there, if any."""

    scene: Scene
    via: ScenarioChoice | None


def step(scenario: Scenario, scene_id: str | None, came_from: str | None = None, choice_id: str | None = None) -> Step:
    """The scene `scene_id` (default: the start), with the feedback of `choice_id` made in scene `came_from`."""
    scene = scenario.scene(scene_id or scenario.start)
    if scene is None:
        raise NotFound("scene")
    via = None
    if came_from and choice_id:
        previous = scenario.scene(came_from)
        via = previous.choice(choice_id) if previous else None
        if via is None or via.target != scene.id:
            raise NotFound("choice")
    return Step(scene, via)
