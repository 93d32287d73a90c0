"""Cairn's debugger for PyTorch scripts and notebooks: SageMaker Debugger's collections,
recorded into a Cairn run so that Cairn Studio shows them and its rules can judge them.

    import cairn, cairn.debugger
    with cairn.start_run(experiment="mnist") as run:
        hook = cairn.debugger.Hook(model, collections=["weights", "gradients", "activations", "losses"], every=10)
        for x, y in loader:
            out = model(x)                 # each training-mode forward pass is one step
            loss = F.cross_entropy(out, y)
            hook.record_loss(loss)
            hook.record_labels(y, out)     # for the ClassImbalance rule
            optimizer.zero_grad(); loss.backward(); optimizer.step()
        hook.close()

Collections: weights, biases, gradients, activations (inputs and outputs of nn.ReLU, nn.Sigmoid
and nn.Tanh modules, and each ReLU unit's activity), losses, update_ratios (|w(t+1) - w(t)| /
|w(t)| per parameter), labels. Per tensor and saved step: count, NaN/Inf counts, zeros, min,
max, mean, std, L1 and L2 norms and a 64-bin histogram. Then, in a shell:
`cairn debug rules RUN` evaluates the rules on what was recorded.

Only the standard library is imported here; torch is imported when a Hook is made.
"""

import math
import struct

from . import _client

__all__ = ["Hook", "COLLECTIONS", "tensor_stats", "encode_histogram", "decode_histogram"]

COLLECTIONS = ("weights", "biases", "gradients", "activations", "losses", "update_ratios", "labels")
_DEFAULT = ("weights", "biases", "gradients", "losses")


def encode_histogram(edges, counts):
    """The schema's compact blob (see schema/0002_debugger.sql); None for no histogram."""
    n = len(counts)
    if n == 0 or len(edges) != n + 1 or n > 65535:
        return None
    lo, hi = float(edges[0]), float(edges[-1])
    width = (hi - lo) / n
    uniform = all(abs(edges[b] - (lo + b * width)) <= 1e-9 * max(1.0, abs(hi - lo)) for b in range(1, n))
    integral = all(c >= 0 and c <= 4294967295 and float(c) == math.floor(c) for c in counts)
    flags = (1 if uniform else 0) | (0 if integral else 2)
    out = struct.pack("<BBH", 1, flags, n)
    out += struct.pack("<dd", lo, hi) if uniform else struct.pack("<%dd" % (n + 1), *[float(e) for e in edges])
    out += struct.pack("<%dI" % n, *[int(c) for c in counts]) if integral else struct.pack("<%dd" % n, *[float(c) for c in counts])
    return out


def decode_histogram(blob):
    """(edges, counts) from a blob; ([], []) for none; ValueError if malformed."""
    if not blob:
        return [], []
    if len(blob) < 4 or blob[0] != 1:
        raise ValueError("not a Cairn histogram blob")
    _, flags, n = struct.unpack_from("<BBH", blob, 0)
    uniform, dbl = flags & 1, flags & 2
    need = 4 + (16 if uniform else (n + 1) * 8) + n * (8 if dbl else 4)
    if n == 0 or len(blob) != need:
        raise ValueError("truncated Cairn histogram blob")
    pos = 4
    if uniform:
        lo, hi = struct.unpack_from("<dd", blob, pos)
        pos += 16
        edges = [hi if b == n else lo + (hi - lo) * b / n for b in range(n + 1)]
    else:
        edges = list(struct.unpack_from("<%dd" % (n + 1), blob, pos))
        pos += (n + 1) * 8
    counts = list(struct.unpack_from(("<%dd" if dbl else "<%dI") % n, blob, pos))
    return edges, [float(c) for c in counts]


def tensor_stats(t, bins=64):
    """Statistics and histogram of a torch tensor (a dict with the store's fields)."""
    import torch
    t = t.detach().reshape(-1).to(torch.float64)
    n = t.numel()
    nan = int(torch.isnan(t).sum())
    inf = int(torch.isinf(t).sum())
    finite = t[torch.isfinite(t)] if nan or inf else t
    s = {"count": n, "nan_count": nan, "inf_count": inf, "zero_count": 0, "min": None, "max": None, "mean": None,
         "std": None, "l1": None, "l2": None, "edges": [], "counts": []}
    if finite.numel() == 0:
        return s
    lo, hi = float(finite.min()), float(finite.max())
    s.update(zero_count=int((finite == 0).sum()), min=lo, max=hi, mean=float(finite.mean()),
             std=float(finite.std(unbiased=False)) if finite.numel() > 1 else 0.0,
             l1=float(finite.abs().sum()), l2=float(finite.norm()))
    if hi > lo:
        counts = torch.histc(finite, bins=bins, min=lo, max=hi)
        s["edges"] = [lo + (hi - lo) * b / bins for b in range(bins)] + [hi]
    else:
        counts = torch.zeros(bins, dtype=torch.float64)
        counts[bins // 2] = finite.numel()
        s["edges"] = [lo - 0.5 + b / bins for b in range(bins + 1)]
    s["counts"] = [float(c) for c in counts.tolist()]
    return s


class Hook:
    """Records debugger collections of a torch.nn.Module into a Cairn run.

    model: the module; its training-mode forward passes count the steps (from 0).
    collections: names from COLLECTIONS (default weights, biases, gradients, losses).
    every: save interval in steps; start_step/end_step limit it to a range; steps: an explicit
    list of steps to save (alone or with every). Losses are scalars: recorded at every step.
    run: an ActiveRun (default: the active run, started if there is none).
    """

    def __init__(self, model, collections=None, every=10, start_step=0, end_step=None, steps=None, bins=64,
                 run=None, flush_every=200):
        import torch  # noqa: F401  (fails early when torch is missing)
        collections = list(collections or _DEFAULT)
        unknown = [c for c in collections if c not in COLLECTIONS]
        if unknown:
            raise ValueError("unknown debugger collection(s) %s (known: %s)" % (", ".join(unknown), ", ".join(COLLECTIONS)))
        if every is not None and int(every) < 1:
            raise ValueError("every must be at least 1, not %r" % every)
        self.model = model
        self.collections = set(collections)
        self.every = int(every) if every is not None else None
        self.start_step = int(start_step or 0)
        self.end_step = None if end_step is None else int(end_step)
        self.steps = set(int(s) for s in steps) if steps else set()
        self.bins = int(bins)
        self.run = run or _client._require_run()
        self.step = -1
        self._flush_every = max(1, int(flush_every))
        self._pending = []
        self._ids = {}
        self._handles = []
        self._previous = {}  # parameter name -> (step, copy) for update ratios
        self._closed = False
        self._handles.append(model.register_forward_pre_hook(self._on_forward))
        for name, module in model.named_modules():
            kind = type(module).__name__
            if kind in ("ReLU", "Sigmoid", "Tanh"):
                label = name or kind.lower()
                # The input before the module runs: an in-place ReLU overwrites it.
                self._handles.append(module.register_forward_pre_hook(self._input_hook(label, kind.lower())))
                self._handles.append(module.register_forward_hook(self._activation_hook(label, kind.lower())))
        if "gradients" in self.collections:
            for name, p in model.named_parameters():
                if p.requires_grad:
                    self._handles.append(p.register_hook(self._gradient_hook(name)))

    # -- what is due -----------------------------------------------------------------------

    def collects(self, collection, step=None):
        """Whether the collection is on and due at the step (default: the current one)."""
        step = self.step if step is None else step
        if collection not in self.collections or step < 0:
            return False
        if collection == "losses":
            return True
        if step in self.steps:
            return True
        if self.every is None or step < self.start_step or (self.end_step is not None and step >= self.end_step):
            return False
        return (step - self.start_step) % self.every == 0

    # -- torch hooks -----------------------------------------------------------------------

    def _on_forward(self, module, inputs):
        if not module.training:
            return
        self.step += 1
        step = self.step
        self._update_ratios()
        want_w, want_b = self.collects("weights"), self.collects("biases")
        if want_w or want_b:
            for name, p in self.model.named_parameters():
                bias = name.endswith("bias")
                if (bias and want_b) or (not bias and want_w):
                    self._record(name, "biases" if bias else "weights", p, step)
        if self.collects("update_ratios"):
            self._previous = {name: (step, p.detach().clone()) for name, p in self.model.named_parameters()
                              if not name.endswith("bias")}
        if len(self._pending) >= self._flush_every:
            self.flush()

    def _update_ratios(self):
        if not self._previous:
            return
        import torch
        params = dict(self.model.named_parameters())
        for name, (saved_step, before) in self._previous.items():
            p = params.get(name)
            if p is None:
                continue
            with torch.no_grad():
                ratio = float((p.detach() - before).norm()) / (float(before.norm()) + 1e-9)
            self._record_scalar(name + ".update_ratio", "update_ratios", ratio, saved_step)
        self._previous = {}

    def _gradient_hook(self, name):
        def hook(grad):
            if self.model.training and self.collects("gradients"):
                self._record(name + ".grad", "gradients", grad, self.step)
            return None
        return hook

    def _input_hook(self, name, kind):
        def hook(module, inputs):
            if self.model.training and self.collects("activations") and inputs:
                self._record("%s.%s_input" % (name, kind), "activations", inputs[0], self.step)
        return hook

    def _activation_hook(self, name, kind):
        def hook(module, inputs, output):
            if not self.model.training or not self.collects("activations"):
                return
            step = self.step
            self._record("%s.%s_output" % (name, kind), "activations", output, step)
            if kind == "relu" and output.dim() >= 2 and output.shape[0] > 0:
                # Per unit: the percentage of the batch for which it fired.
                activity = (output.detach() > 0).reshape(output.shape[0], -1).float().mean(dim=0) * 100.0
                self._record("%s.relu_activity" % name, "activations", activity, step)
        return hook

    # -- recording -------------------------------------------------------------------------

    def record_loss(self, loss, mode="train"):
        """Records a loss (a tensor or number) at the current step; mode "eval" for validation."""
        if "losses" not in self.collections:
            return
        value = float(loss.detach()) if hasattr(loss, "detach") else float(loss)
        name = "validation_loss" if str(mode).lower() in ("eval", "validation", "val") else "loss"
        self._record_scalar(name, "losses", value, max(self.step, 0))

    def record_labels(self, targets, outputs):
        """Class counts of the labels and of the mispredicted ones (for ClassImbalance)."""
        if not self.collects("labels"):
            return
        import torch
        with torch.no_grad():
            classes = int(outputs.shape[1]) if outputs.dim() >= 2 else int(targets.max()) + 1
            y = targets.detach().reshape(-1).long()
            pred = outputs.detach().argmax(dim=1).reshape(-1) if outputs.dim() >= 2 else outputs.detach().reshape(-1).long()
            edges = [k - 0.5 for k in range(classes + 1)]
            for name, values in (("labels", y), ("labels_mispredicted", y[pred != y])):
                counts = torch.bincount(values, minlength=classes)[:classes].tolist()
                s = tensor_stats(values.float(), self.bins) if values.numel() else {
                    "count": 0, "nan_count": 0, "inf_count": 0, "zero_count": 0, "min": None, "max": None,
                    "mean": None, "std": None, "l1": None, "l2": None}
                s["edges"], s["counts"] = edges, [float(c) for c in counts]
                self._pending.append((name, "labels", self.step, _client._now_ms(), s))

    def _record(self, name, collection, tensor, step):
        self._pending.append((name, collection, step, _client._now_ms(), tensor_stats(tensor, self.bins)))

    def _record_scalar(self, name, collection, value, step):
        finite = math.isfinite(value)
        s = {"count": 1, "nan_count": int(math.isnan(value)), "inf_count": int(math.isinf(value)),
             "zero_count": int(value == 0), "min": value if finite else None, "max": value if finite else None,
             "mean": value if finite else None, "std": 0.0 if finite else None,
             "l1": abs(value) if finite else None, "l2": abs(value) if finite else None,
             "edges": [value - 0.5, value + 0.5] if finite else [], "counts": [1.0] if finite else []}
        self._pending.append((name, collection, step, _client._now_ms(), s))

    def flush(self):
        """Writes what is pending in one transaction."""
        if not self._pending:
            return
        pending, self._pending = self._pending, []
        ws, run_id = self.run.workspace, self.run._row_id

        def write(conn):
            created = {}
            for name, collection, step, ts, s in pending:
                tid = self._ids.get(name) or created.get(name)
                if tid is None:
                    conn.execute("INSERT INTO debug_tensors (run_id, name, collection) VALUES (?, ?, ?) "
                                 "ON CONFLICT (run_id, name) DO NOTHING", (run_id, name, collection))
                    tid = conn.execute("SELECT id FROM debug_tensors WHERE run_id = ? AND name = ?",
                                       (run_id, name)).fetchone()[0]
                    created[name] = tid
                conn.execute("INSERT OR REPLACE INTO debug_samples (tensor_id, step, timestamp, count, nan_count, inf_count, "
                             "zero_count, min, max, mean, std, l1, l2, histogram) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                             (tid, step, ts, s["count"], s["nan_count"], s["inf_count"], s["zero_count"], s["min"], s["max"],
                              s["mean"], s["std"], s["l1"], s["l2"], encode_histogram(s["edges"], s["counts"])))
            return created
        try:
            self._ids.update(ws.write(write))
        except BaseException:
            self._pending = pending + self._pending  # nothing is lost on a failed write
            raise

    def close(self):
        """Writes what is pending and removes the hooks from the model."""
        if self._closed:
            return
        self._update_ratios()  # the last saved step's update, made by the optimizer since
        self.flush()
        for h in self._handles:
            h.remove()
        self._handles = []
        self._closed = True

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb):
        self.close()
        return False
