"""Cairn Studio's Python client: log runs, params, metrics, tags and artifacts into a workspace.

Standard library only. The workspace is the argument you give, else $CAIRN_WORKSPACE, else
~/CairnWorkspace. It writes the same SQLite database as Cairn Studio, safely alongside it and
alongside other processes.

    import cairn
    with cairn.start_run(experiment="titanic", run_name="rf-depth-4") as run:
        cairn.log_params({"max_depth": 4, "n_estimators": 200})
        for epoch in range(10):
            cairn.log_metric("loss", 0.5 / (epoch + 1), step=epoch)
        cairn.set_tag("model", "random-forest")
        cairn.log_artifact("confusion.png")

The model registry (through the `cairn` CLI, found in $CAIRN_CLI or on PATH):

    version = cairn.register_model(run, "churn")
    cairn.models.load("churn@champion").predict([{"age": 42, "plan": "gold"}])
"""

from ._client import (
    ActiveRun,
    Workspace,
    active_run,
    end_run,
    log_artifact,
    log_artifacts,
    log_metric,
    log_metrics,
    log_param,
    log_params,
    set_experiment,
    set_tag,
    set_tags,
    set_workspace,
    start_run,
)
from . import models
from .models import register_model

__version__ = "0.1.0"
__all__ = [
    "ActiveRun", "Workspace", "active_run", "end_run", "log_artifact", "log_artifacts", "log_metric",
    "log_metrics", "log_param", "log_params", "set_experiment", "set_tag", "set_tags", "set_workspace",
    "start_run", "models", "register_model",
]
