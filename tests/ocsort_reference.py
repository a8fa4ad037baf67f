"""OC-SORT reference (numpy + lap), transcribed from the algorithm of noahcao/OC_SORT
(trackers/ocsort_tracker/ocsort.py, association.py, kalmanfilter.py), motion-only, IoU cost.

It follows the original step by step where IDs depend on it (docs/tracking.md, "OC-SORT"): the
7-state filter on (cx, cy, area, aspect) with its noise values and Joseph-form update, the
freeze / re-update on re-association (ORU, with the original's interpolated virtual boxes and its
double update of the real box), the momentum cost (OCM: k-th previous observation, delta_t, inertia
weight times score), the "each row and column has at most one IoU above the threshold" shortcut,
the optional BYTE round on low-score boxes, the recovery round on last observations (OCR), the
order in which unmatched detections become tracks (numpy setdiff1d / concatenate orders), the
placeholder observation [-1]*5 and its sum tests, min_hits / max_age and the reversed output order.
Deliberate differences: detections are float64 from the start (the original computes in its input
dtype), there is no image rescaling, and rows also carry class and input row so the output has the
(M, 8) layout [x1, y1, x2, y2, id, score, class, row]. Counters live in the object (IDs from 1).
The counters `oru` and `ocr` and `byte` record how often each path ran (tests assert they do).
"""
from __future__ import annotations

from typing import Optional

import numpy as np

PLACEHOLDER = np.array([-1.0, -1.0, -1.0, -1.0, -1.0])


def box_to_z(b: np.ndarray) -> np.ndarray:
    w = b[2] - b[0]
    h = b[3] - b[1]
    return np.array([b[0] + w / 2.0, b[1] + h / 2.0, w * h, w / (h + 1e-6)]).reshape(4, 1)


def x_to_box(x: np.ndarray) -> np.ndarray:
    w = np.sqrt(x[2, 0] * x[3, 0])
    h = x[2, 0] / w
    return np.array([x[0, 0] - w / 2.0, x[1, 0] - h / 2.0, x[0, 0] + w / 2.0, x[1, 0] + h / 2.0])


def direction(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Unit (dy, dx) from the centre of box a to the centre of box b."""
    ax, ay = (a[0] + a[2]) / 2.0, (a[1] + a[3]) / 2.0
    bx, by = (b[0] + b[2]) / 2.0, (b[1] + b[3]) / 2.0
    n = np.sqrt((by - ay) ** 2 + (bx - ax) ** 2) + 1e-6
    return np.array([by - ay, bx - ax]) / n


F = np.eye(7)
F[0, 4] = F[1, 5] = F[2, 6] = 1.0
H = np.eye(4, 7)


class ObsKalman:
    """KalmanFilterNew of OC-SORT reduced to what it does here: predict, update, and the freeze /
    re-update pair (history of measurements with None for missed frames)."""

    def __init__(self, z: np.ndarray) -> None:
        self.x = np.zeros((7, 1))
        self.x[:4] = z
        self.P = np.eye(7)
        self.P[4:, 4:] *= 1000.0
        self.P *= 10.0
        self.Q = np.eye(7)
        self.Q[-1, -1] *= 0.01
        self.Q[4:, 4:] *= 0.01
        self.R = np.eye(4)
        self.R[2:, 2:] *= 10.0
        self.history: list[Optional[np.ndarray]] = []
        self.observed = False
        self.saved: Optional[tuple[np.ndarray, np.ndarray, list[Optional[np.ndarray]]]] = None
        self.reupdates = 0

    def predict(self) -> None:
        self.x = F @ self.x
        self.P = F @ self.P @ F.T + self.Q

    def _correct(self, z: np.ndarray) -> None:
        y = z - H @ self.x
        pht = self.P @ H.T
        s = H @ pht + self.R
        k = pht @ np.linalg.inv(s)
        self.x = self.x + k @ y
        ikh = np.eye(7) - k @ H
        self.P = ikh @ self.P @ ikh.T + k @ self.R @ k.T

    def update(self, z: Optional[np.ndarray]) -> None:
        self.history.append(z)
        if z is None:
            if self.observed:  # first miss after an observation: keep the state to re-update from
                self.saved = (self.x.copy(), self.P.copy(), list(self.history))
            self.observed = False
            return
        if not self.observed and self.saved is not None:
            self._reupdate()
        self.observed = True
        self._correct(z)

    def _reupdate(self) -> None:
        """ORU: back to the state saved at the first miss, then filter virtual boxes interpolated
        linearly in (cx, cy, w, h) from the last observation to this one."""
        assert self.saved is not None
        full = self.history
        self.x, self.P, hist = self.saved
        self.saved = None
        self.history = hist[:-1]
        seen = [i for i, z in enumerate(full) if z is not None]
        i1, i2 = seen[-2], seen[-1]
        z1, z2 = full[i1], full[i2]
        assert z1 is not None and z2 is not None
        x1, y1, s1, r1 = z1.flatten()
        x2, y2, s2, r2 = z2.flatten()
        w1, h1 = np.sqrt(s1 * r1), np.sqrt(s1 / r1)
        w2, h2 = np.sqrt(s2 * r2), np.sqrt(s2 / r2)
        gap = i2 - i1
        dx, dy, dw, dh = (x2 - x1) / gap, (y2 - y1) / gap, (w2 - w1) / gap, (h2 - h1) / gap
        for i in range(gap):
            w, h = w1 + (i + 1) * dw, h1 + (i + 1) * dh
            z = np.array([x1 + (i + 1) * dx, y1 + (i + 1) * dy, w * h, w / float(h)]).reshape(4, 1)
            self.history.append(z)
            self._correct(z)
            if i != gap - 1:
                self.predict()
        self.reupdates += 1


class Track:
    def __init__(self, det: np.ndarray, tid: int, delta_t: int) -> None:
        self.kf = ObsKalman(box_to_z(det))
        self.id = tid
        self.delta_t = delta_t
        self.time_since_update = 0
        self.hits = self.hit_streak = self.age = 0
        self.last_obs = PLACEHOLDER.copy()
        self.obs: dict[int, np.ndarray] = {}
        self.velocity: Optional[np.ndarray] = None
        self.det = det  # the last matched row (score, class, input row for the output)

    def predict(self) -> np.ndarray:
        if self.kf.x[6, 0] + self.kf.x[2, 0] <= 0:
            self.kf.x[6, 0] *= 0.0
        self.kf.predict()
        self.age += 1
        if self.time_since_update > 0:
            self.hit_streak = 0
        self.time_since_update += 1
        return x_to_box(self.kf.x)

    def update(self, det: Optional[np.ndarray]) -> None:
        if det is None:
            self.kf.update(None)
            return
        box = det[:5]
        if self.last_obs.sum() >= 0:  # has a real observation: direction from delta_t steps back
            prev = next((self.obs[self.age - d] for d in range(self.delta_t, 0, -1) if self.age - d in self.obs),
                        self.last_obs)
            self.velocity = direction(prev, box)
        self.last_obs = box
        self.obs[self.age] = box
        self.det = det
        self.time_since_update = 0
        self.hits += 1
        self.hit_streak += 1
        self.kf.update(box_to_z(box))

    def k_previous_obs(self) -> np.ndarray:
        if not self.obs:
            return PLACEHOLDER
        for d in range(self.delta_t, 0, -1):
            if self.age - d in self.obs:
                return self.obs[self.age - d]
        return self.obs[max(self.obs)]


def iou_matrix(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    a = a[:, None]
    b = b[None]
    w = np.maximum(0.0, np.minimum(a[..., 2], b[..., 2]) - np.maximum(a[..., 0], b[..., 0]))
    h = np.maximum(0.0, np.minimum(a[..., 3], b[..., 3]) - np.maximum(a[..., 1], b[..., 1]))
    inter = w * h
    return inter / ((a[..., 2] - a[..., 0]) * (a[..., 3] - a[..., 1])
                    + (b[..., 2] - b[..., 0]) * (b[..., 3] - b[..., 1]) - inter)


def lap_pairs(cost: np.ndarray) -> np.ndarray:
    """(row, col) pairs of lap.lapjv(cost, extend_cost=True), in row order."""
    import lap

    _, x, _ = lap.lapjv(cost, extend_cost=True)
    return np.array([[i, j] for i, j in enumerate(x) if j >= 0], dtype=int).reshape(-1, 2)


def first_round(dets: np.ndarray, trks: np.ndarray, thr: float, vel: np.ndarray, prev: np.ndarray,
                inertia: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    nd, nt = len(dets), len(trks)
    if nt == 0:
        return np.empty((0, 2), int), np.arange(nd), np.empty(0, int)
    # OCM: cosine between each track's direction and the direction from its k-th previous
    # observation to each detection, mapped to [-0.5, 0.5], weighted by inertia and det score.
    pcx, pcy = (prev[:, 0] + prev[:, 2]) / 2.0, (prev[:, 1] + prev[:, 3]) / 2.0
    dcx, dcy = (dets[:, 0] + dets[:, 2]) / 2.0, (dets[:, 1] + dets[:, 3]) / 2.0
    dx = dcx[None, :] - pcx[:, None]
    dy = dcy[None, :] - pcy[:, None]
    n = np.sqrt(dx ** 2 + dy ** 2) + 1e-6
    dx, dy = dx / n, dy / n
    cos = np.clip(vel[:, 1:2] * dx + vel[:, 0:1] * dy, -1, 1)
    angle = (np.pi / 2.0 - np.abs(np.arccos(cos))) / np.pi
    valid = (prev[:, 4] >= 0).astype(float)[:, None]
    angle_cost = ((valid * angle) * inertia).T * dets[:, 4:5]
    iou = iou_matrix(dets[:, :4], trks)
    if min(iou.shape) > 0:
        a = (iou > thr).astype(np.int32)
        if a.sum(1).max() == 1 and a.sum(0).max() == 1:
            pairs = np.stack(np.where(a), axis=1)
        else:
            pairs = lap_pairs(-(iou + angle_cost))
    else:
        pairs = np.empty((0, 2), int)
    if len(pairs) == 0:
        return np.empty((0, 2), int), np.arange(nd), np.arange(nt)
    low = iou[pairs[:, 0], pairs[:, 1]] < thr
    u_d = np.concatenate([np.setdiff1d(np.arange(nd), pairs[:, 0]), pairs[low, 0]]).astype(int)
    u_t = np.concatenate([np.setdiff1d(np.arange(nt), pairs[:, 1]), pairs[low, 1]]).astype(int)
    return pairs[~low], u_d, u_t


class OCSortReference:
    def __init__(self, det_thresh: float = 0.6, max_age: int = 30, min_hits: int = 3, iou_threshold: float = 0.3,
                 delta_t: int = 3, inertia: float = 0.2, use_byte: bool = False, low_thresh: float = 0.1) -> None:
        self.det_thresh, self.max_age, self.min_hits = det_thresh, max_age, min_hits
        self.thr, self.delta_t, self.inertia, self.use_byte = iou_threshold, delta_t, inertia, use_byte
        self.low_thresh = low_thresh
        self.tracks: list[Track] = []
        self.frame_count = 0
        self.next_id = 0
        self.ocr = self.byte = self._oru_done = 0

    @property
    def oru(self) -> int:
        return self._oru_done + sum(t.kf.reupdates for t in self.tracks)

    def _round(self, rows: np.ndarray, boxes: np.ndarray, cand_rows: np.ndarray, cand_trks: np.ndarray,
               ) -> Optional[tuple[np.ndarray, np.ndarray]]:
        """One rescue round (BYTE or OCR): IoU of rows vs boxes; runs if its max > thr, keeps pairs >= thr.
        Returns the candidates left (sorted, as setdiff1d leaves them) or None when it did not run."""
        iou = iou_matrix(rows[:, :4], boxes[:, :4])
        if iou.max() <= self.thr:
            return None
        used_r, used_t = [], []
        for r, c in lap_pairs(-iou):
            if iou[r, c] < self.thr:
                continue
            self.tracks[cand_trks[c]].update(rows[r])
            used_r.append(int(cand_rows[r]))
            used_t.append(int(cand_trks[c]))
        return (np.setdiff1d(cand_rows, np.array(used_r, dtype=int)),
                np.setdiff1d(cand_trks, np.array(used_t, dtype=int)))

    def update(self, frame: np.ndarray) -> np.ndarray:
        """frame: (N, 6) [x1, y1, x2, y2, score, class] -> (M, 8) [x1, y1, x2, y2, id, score, class, row]."""
        self.frame_count += 1
        frame = np.asarray(frame, dtype=np.float32).reshape(-1, 6).astype(np.float64)
        w, h = frame[:, 2] - frame[:, 0], frame[:, 3] - frame[:, 1]
        keep = (w > 0) & (h > 0)  # as vxfast: degenerate boxes are not tracked
        rows = np.concatenate([frame, np.arange(len(frame), dtype=np.float64)[:, None]], axis=1)[keep]
        scores = rows[:, 4]
        second = rows[(scores > self.low_thresh) & (scores < self.det_thresh)]
        dets = rows[scores > self.det_thresh]

        trks = np.zeros((len(self.tracks), 4))
        dead = []
        for i, t in enumerate(self.tracks):
            trks[i] = t.predict()
            if np.any(np.isnan(trks[i])):
                dead.append(i)
        if dead:
            trks = np.delete(trks, dead, axis=0)
            for i in reversed(dead):
                self._oru_done += self.tracks[i].kf.reupdates
                self.tracks.pop(i)
        vel = np.array([t.velocity if t.velocity is not None else (0.0, 0.0) for t in self.tracks]).reshape(-1, 2)
        last = np.array([t.last_obs for t in self.tracks]).reshape(-1, 5)
        prev = np.array([t.k_previous_obs() for t in self.tracks]).reshape(-1, 5)

        matches, u_d, u_t = first_round(dets, trks, self.thr, vel, prev, self.inertia)
        for d, t in matches:
            self.tracks[t].update(dets[d])

        if self.use_byte and len(second) > 0 and len(u_t) > 0:
            res = self._round(second, trks[u_t], np.arange(len(second)), u_t)
            if res is not None:
                self.byte += len(u_t) - len(res[1])
                u_t = res[1]

        if len(u_d) > 0 and len(u_t) > 0:
            res = self._round(dets[u_d], last[u_t], u_d, u_t)  # OCR: against the last observations
            if res is not None:
                self.ocr += len(u_t) - len(res[1])
                u_d, u_t = res

        for t in u_t:
            self.tracks[t].update(None)
        for d in u_d:
            self.next_id += 1
            self.tracks.append(Track(dets[d], self.next_id, self.delta_t))

        out = []
        for i in range(len(self.tracks) - 1, -1, -1):
            t = self.tracks[i]
            box = x_to_box(t.kf.x) if t.last_obs.sum() < 0 else t.last_obs[:4]
            if t.time_since_update < 1 and (t.hit_streak >= self.min_hits or self.frame_count <= self.min_hits):
                out.append([*box, t.id, t.det[4], t.det[5], t.det[6]])
            if t.time_since_update > self.max_age:
                self._oru_done += t.kf.reupdates
                self.tracks.pop(i)
        return np.array(out, dtype=np.float64).reshape(-1, 8)


def run_ocsort_reference(frames: list[np.ndarray], **params: object) -> tuple[list[np.ndarray], OCSortReference]:
    ref = OCSortReference(**params)  # type: ignore[arg-type]
    return [ref.update(f) for f in frames], ref
