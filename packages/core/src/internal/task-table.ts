// `corio ps`: the task tree of another process as a flat table (asyncio's `ps`), from the plain
// data its hook sends (the tree without the Task objects).

/** A scope of the tree, as JSON. */
export interface PlainScope {
  scope: string;
  waitingOn: string[];
  scopes: PlainScope[];
  children: PlainTaskNode[];
}

/** A task of the tree, as JSON. */
export interface PlainTaskNode {
  name: string;
  state: string;
  description: string;
  createdAt?: string;
  waitingOn: string[];
  scopes: PlainScope[];
  children: PlainTaskNode[];
}

interface Row {
  id: string;
  parent: string;
  name: string;
  state: string;
  waitingOn: string;
}

/**
 * One row per task, in tree order: its id (its row number), its parent's, its name, its state,
 * and what it waits on (in its own code and in its scopes, `; `-separated).
 */
export function formatTaskTable(roots: readonly PlainTaskNode[]): string {
  const rows: Row[] = [];
  const addTask = (task: PlainTaskNode, parent: string): void => {
    const id = String(rows.length + 1);
    const waits: string[] = [];
    const row: Row = { id, parent, name: task.name, state: task.state, waitingOn: '' };
    rows.push(row);
    const addContents = (contents: PlainTaskNode | PlainScope): void => {
      waits.push(...contents.waitingOn);
      for (const scope of contents.scopes) addContents(scope);
      for (const child of contents.children) addTask(child, id);
    };
    addContents(task);
    row.waitingOn = waits.join('; ');
  };
  for (const root of roots) addTask(root, '-');
  const header: Row = {
    id: 'ID',
    parent: 'PARENT',
    name: 'NAME',
    state: 'STATE',
    waitingOn: 'WAITING ON',
  };
  const all = [header, ...rows];
  const width = (key: keyof Row): number => Math.max(...all.map((row) => row[key].length));
  const widths = {
    id: width('id'),
    parent: width('parent'),
    name: width('name'),
    state: width('state'),
  };
  return all
    .map((row) =>
      [
        row.id.padEnd(widths.id),
        row.parent.padEnd(widths.parent),
        row.name.padEnd(widths.name),
        row.state.padEnd(widths.state),
        row.waitingOn,
      ]
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}
