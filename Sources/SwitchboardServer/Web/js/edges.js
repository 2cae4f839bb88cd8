// Which edge to talk to: the ones the origin lists, nearest first by the round trip of a
// `/readyz` (the best of three; a draining edge answers 503 and is passed over). A page served by an edge stays with it while it answers; a
// page served by the origin moves to the nearest edge.

async function roundTrip(baseURL) {
  let best = Infinity;
  for (let attempt = 0; attempt < 3; attempt += 1) {
    const started = performance.now();
    try {
      const response = await fetch(`${baseURL}/readyz`, { cache: 'no-store' });
      if (!response.ok) return Infinity;
      await response.json();
      best = Math.min(best, performance.now() - started);
    } catch {
      return Infinity;
    }
  }
  return best;
}

export async function rankEdges(here, api) {
  let listed = [];
  try {
    listed = (await api.edges()).edges.map((edge) => edge.public_url).filter(Boolean);
  } catch { /* an edge that cannot reach the origin's list still serves */ }
  let role = 'edge';
  try { role = (await (await fetch(`${here}/healthz`, { cache: 'no-store' })).json()).role; } catch { /* keep */ }
  const others = [...new Set(listed.filter((url) => url !== here))];
  const times = await Promise.all(others.map(roundTrip));
  const ranked = others.map((url, index) => ({ url, ms: times[index] }))
    .filter((edge) => edge.ms !== Infinity).sort((a, b) => a.ms - b.ms).map((edge) => edge.url);
  // The origin is the last resort, never the first choice, when edges answer.
  return role === 'origin' && ranked.length ? [...ranked, here] : [here, ...ranked];
}
