// The endless Staff list's pages: the rows loaded so far, the cursor, the total. A restart
// (another tab, search, filter or sort) drops the answers still on their way for the old list.

import { gql } from "../../gql.js";
import { STAFF_ROW_FIELDS } from "./staff-actions.js";

const PAGE_SIZE = 25;

const PAGE = `query StaffPage($filter: StaffFilter, $orderBy: StaffOrderBy, $first: Int, $after: String) {
  staffMembers(filter: $filter, orderBy: $orderBy, first: $first, after: $after) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { node { ${STAFF_ROW_FIELDS} } }
  }
}`;

export class StaffPager {
  rows = [];
  total = 0;
  hasNext = false;
  loading = false;
  #cursor = null;
  #generation = 0;

  restart() {
    this.#generation += 1;
    this.rows = [];
    this.total = 0;
    this.hasNext = false;
    this.loading = false;
    this.#cursor = null;
  }

  get canLoadMore() {
    return this.hasNext && !this.loading;
  }

  /** Loads the next page of `{ filter, orderBy }`, keeping the rows `keep` accepts. Resolves
   * to the rows added, or null when a restart has overtaken it. */
  async next(variables, keep) {
    const generation = this.#generation;
    this.loading = true;
    try {
      const { staffMembers } = await gql(PAGE, { ...variables, first: PAGE_SIZE, after: this.#cursor });
      if (generation !== this.#generation) return null;
      const added = staffMembers.edges.map((edge) => edge.node).filter(keep);
      this.rows.push(...added);
      this.#cursor = staffMembers.pageInfo.endCursor;
      this.hasNext = staffMembers.pageInfo.hasNextPage;
      this.total = staffMembers.totalCount;
      return added;
    } catch (error) {
      if (generation !== this.#generation) return null;
      throw error;
    } finally {
      if (generation === this.#generation) this.loading = false;
    }
  }

  find(id) {
    return this.rows.find((row) => row.id === id);
  }

  replace(staff) {
    this.rows = this.rows.map((row) => (row.id === staff.id ? staff : row));
  }

  remove(id) {
    this.rows = this.rows.filter((row) => row.id !== id);
    this.total = Math.max(0, this.total - 1);
  }
}
