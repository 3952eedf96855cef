// Reading the Packages table of an rpmdb.sqlite (round trips, readRpmdb).
import { loadSqlJs } from './write.js';

/** Packages blobs of an rpmdb.sqlite, by hnum */
export async function readSqlite(bytes: Uint8Array): Promise<{ hnum: number; blob: Uint8Array }[]> {
  const SQL = await loadSqlJs();
  const db = new SQL.Database(bytes);
  try {
    const out: { hnum: number; blob: Uint8Array }[] = [];
    const st = db.prepare("SELECT hnum, blob FROM 'Packages' ORDER BY hnum");
    while (st.step()) {
      const [hnum, blob] = st.get();
      if (typeof hnum === 'number' && blob instanceof Uint8Array) out.push({ hnum, blob: new Uint8Array(blob) });
    }
    st.free();
    return out;
  } finally {
    db.close();
  }
}
