// PostGraphile 5 configuration of the B1 peer (see bench/postgraphile.py and bench/peer/setup.sh,
// which copies this file next to the installed node_modules in bench/.peer/app/).
//
// Environment:
//   DATABASE_URL  the staff-accounts database (required), e.g. postgres://postgres@127.0.0.1:5432/staff_bench
//   PORT          HTTP port (default 5678); HOST (default 127.0.0.1)
//   PG_POOL_MAX   size of the node-postgres pool (default 10, node-postgres' own default)
//
// Production-like: no watch mode, no GraphiQL/Ruru, no EXPLAIN in responses, no schema
// export, errors masked as in production; GraphQL only at POST /graphql.
import { makePgService } from "postgraphile/adaptors/pg";
import { PostGraphileAmberPreset } from "postgraphile/presets/amber";
import { jsonPgSmartTags } from "postgraphile/utils";

const databaseUrl = process.env.DATABASE_URL;
if (!databaseUrl) {
  throw new Error("DATABASE_URL is not set");
}

// Credentials and secrets of staff members are not part of the API (our API never exposes
// them either): remove them from every type, filter, order and input.
const HideSecretsPlugin = jsonPgSmartTags(
  {
    version: 1,
    config: {
      class: {
        staff_member: {
          attribute: {
            password_hash: { tags: { behavior: "-*" } },
            pin_hash: { tags: { behavior: "-*" } },
            totp_secret_encrypted: { tags: { behavior: "-*" } },
          },
        },
      },
    },
  },
  null,
  { name: "StaffBenchHideSecretsPlugin" },
);

/** @type {GraphileConfig.Preset} */
const preset = {
  extends: [PostGraphileAmberPreset],
  plugins: [HideSecretsPlugin],
  pgServices: [
    makePgService({
      connectionString: databaseUrl,
      schemas: ["public"],
      poolConfig: { max: Number(process.env.PG_POOL_MAX ?? 10) },
    }),
  ],
  grafserv: {
    host: process.env.HOST ?? "127.0.0.1",
    port: Number(process.env.PORT ?? 5678),
    graphqlPath: "/graphql",
    graphiql: false,
    graphiqlOnGraphQLGET: false,
    graphqlOverGET: false,
    watch: false,
    websockets: false,
  },
  grafast: {
    explain: false,
  },
};

export default preset;
