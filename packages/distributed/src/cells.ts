import type { Db } from "./db.js"

export type CellState = "pending" | "running" | "done" | "failed"

export interface CellStatus {
  readonly run: string
  readonly cellIndex: number
  readonly cellId: string
  readonly state: CellState
  readonly worker: string | null
  readonly epoch: number | null
  readonly attempts: number
  readonly error: string | null
  readonly updatedAt: Date
}

/** Records a cell's state in `samlab_cells` (what `samlab status` lists). */
export const recordCell = (
  db: Db,
  run: string,
  cell: { readonly index: number; readonly id: string },
  state: CellState,
  fields: { readonly worker?: string | null; readonly epoch?: number | null; readonly attempts?: number; readonly error?: string | null } = {}
) =>
  db.query(
    `INSERT INTO samlab_cells (run, cell_index, cell_id, state, worker, epoch, attempts, error) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
     ON CONFLICT (run, cell_index) DO UPDATE SET cell_id = EXCLUDED.cell_id, state = EXCLUDED.state, worker = EXCLUDED.worker, epoch = EXCLUDED.epoch,
       attempts = GREATEST(samlab_cells.attempts, EXCLUDED.attempts), error = EXCLUDED.error, updated_at = now()`,
    [run, cell.index, cell.id, state, fields.worker ?? null, fields.epoch ?? null, fields.attempts ?? 0, fields.error ?? null]
  )

/** A pending cell that a submitter enqueues again keeps what workers recorded (a running or done cell stays so). */
export const recordPending = (db: Db, run: string, cell: { readonly index: number; readonly id: string }) =>
  db.query(
    `INSERT INTO samlab_cells (run, cell_index, cell_id, state) VALUES ($1, $2, $3, 'pending')
     ON CONFLICT (run, cell_index) DO UPDATE SET state = 'pending', error = NULL, updated_at = now() WHERE samlab_cells.state = 'failed'`,
    [run, cell.index, cell.id]
  )

export const recordEpoch = (db: Db, run: string, cellIndex: number, epoch: number) =>
  db.query("UPDATE samlab_cells SET epoch = $3, updated_at = now() WHERE run = $1 AND cell_index = $2", [run, cellIndex, epoch])

/** Every cell of `run`, in matrix order. */
export const cellStatuses = async (db: Db, run: string): Promise<readonly CellStatus[]> => {
  const { rows } = await db.query<{
    run: string
    cell_index: number
    cell_id: string
    state: CellState
    worker: string | null
    epoch: number | null
    attempts: number
    error: string | null
    updated_at: Date
  }>("SELECT * FROM samlab_cells WHERE run = $1 ORDER BY cell_index", [run])
  return rows.map((r) => ({
    run: r.run,
    cellIndex: r.cell_index,
    cellId: r.cell_id,
    state: r.state,
    worker: r.worker,
    epoch: r.epoch,
    attempts: r.attempts,
    error: r.error,
    updatedAt: r.updated_at
  }))
}

/** One line per cell: `done  method=sgd,seed=0`, `running  ... on host:pid, epoch 3`, `failed ... : why`. */
export const formatCellStatuses = (cells: readonly CellStatus[]): string =>
  cells
    .map((c) => {
      const where = c.state === "running" ? ` on ${c.worker ?? "?"}${c.epoch !== null ? `, epoch ${c.epoch}` : ""}` : ""
      const why = c.state === "failed" && c.error ? `: ${c.error}` : ""
      const tries = c.attempts > 1 ? ` (attempt ${c.attempts})` : ""
      return `${c.state.padEnd(8)} ${c.cellId}${where}${tries}${why}`
    })
    .join("\n")
