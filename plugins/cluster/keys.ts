/** Redis key and channel names of one cluster (all keys share the `{prefix}` hash tag). */
export interface ClusterKeys {
  /** The prefix itself (other plugins on the same Redis build their keys on it). */
  prefix: string;
  nodes: string;
  sparks: string;
  sparkUsers: string;
  users: string;
  /** Followed by a node id: that node's set of spark ids. */
  nodePrefix: string;
  /** Followed by a node id: the scratch hash of a resync. */
  resyncPrefix: string;
  /** Where the scripts publish presence changes (JSON arrays). */
  presence: string;
  /** Followed by a broker channel name. */
  channelPrefix: string;
}

export function clusterKeys(prefix: string): ClusterKeys {
  const tag = `{${prefix}}`;
  return {
    prefix,
    nodes: `${tag}:nodes`,
    sparks: `${tag}:sparks`,
    sparkUsers: `${tag}:spark-users`,
    users: `${tag}:users`,
    nodePrefix: `${tag}:node:`,
    resyncPrefix: `${tag}:resync:`,
    presence: `${prefix}:presence`,
    channelPrefix: `${prefix}:c:`,
  };
}

/** The four keys every presence script takes, in order. */
export function presenceKeys(keys: ClusterKeys): string[] {
  return [keys.nodes, keys.sparks, keys.sparkUsers, keys.users];
}
