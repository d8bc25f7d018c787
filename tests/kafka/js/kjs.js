#!/usr/bin/env node
// kafkajs helper for tests/kafka: `node kjs.js COMMAND BOOTSTRAP` with a JSON
// request on stdin; prints one JSON line {ok: true, ...} or
// {ok: false, error, type, code} on stdout and exits 0 (1 for internal errors).
// Every command is bounded by a deadline so a silent broker cannot hang the suite.
'use strict'

const { Kafka, logLevel, CompressionTypes, ConfigResourceTypes, AssignerProtocol } = require('kafkajs')

const DEADLINE_MS = 45000

function readStdin() {
  return new Promise((resolve, reject) => {
    let data = ''
    process.stdin.setEncoding('utf8')
    process.stdin.on('data', c => (data += c))
    process.stdin.on('end', () => resolve(data ? JSON.parse(data) : {}))
    process.stdin.on('error', reject)
  })
}

function errorInfo(e) {
  // kafkajs wraps protocol errors (cause / originalError); report the innermost type and code
  let cur = e
  let type = null
  let code = null
  for (let i = 0; cur && i < 10; i++) {
    if (cur.type && type === null) type = cur.type
    if (typeof cur.code === 'number' && code === null) code = cur.code
    cur = cur.cause || cur.originalError
  }
  return { error: `${e.name}: ${e.message}`, type, code }
}

function headersObject(pairs) {
  // kafkajs headers: {name: value | [values]}; insertion order is preserved
  const h = {}
  for (const [k, v] of pairs || []) {
    if (k in h) h[k] = [].concat(h[k], v)
    else h[k] = v
  }
  return h
}

const commands = {
  async metadata(kafka, req) {
    const admin = kafka.admin()
    await admin.connect()
    try {
      const cluster = await admin.describeCluster()
      const md = await admin.fetchTopicMetadata(req.topics.length ? { topics: req.topics } : {})
      const topics = {}
      for (const t of md.topics) topics[t.name] = t.partitions.length
      return {
        brokers: cluster.brokers.map(b => ({ nodeId: b.nodeId, host: b.host, port: b.port })),
        controller: cluster.controller,
        topics,
      }
    } finally {
      await admin.disconnect()
    }
  },

  async create(kafka, req) {
    const admin = kafka.admin()
    await admin.connect()
    try {
      const created = await admin.createTopics({
        waitForLeaders: true,
        timeout: 30000,
        topics: [
          {
            topic: req.topic,
            numPartitions: req.partitions,
            replicationFactor: 1,
            configEntries: Object.entries(req.configs || {}).map(([name, value]) => ({ name, value })),
          },
        ],
      })
      return { created }
    } finally {
      await admin.disconnect()
    }
  },

  async 'delete-topic'(kafka, req) {
    const admin = kafka.admin()
    await admin.connect()
    try {
      await admin.deleteTopics({ topics: [req.topic], timeout: 30000 })
      return {}
    } finally {
      await admin.disconnect()
    }
  },

  async 'create-partitions'(kafka, req) {
    const admin = kafka.admin()
    await admin.connect()
    try {
      await admin.createPartitions({ timeout: 30000, topicPartitions: [{ topic: req.topic, count: req.count }] })
      return {}
    } finally {
      await admin.disconnect()
    }
  },

  async 'describe-configs'(kafka, req) {
    const admin = kafka.admin()
    await admin.connect()
    try {
      const r = await admin.describeConfigs({
        includeSynonyms: false,
        resources: [{ type: ConfigResourceTypes.TOPIC, name: req.topic }],
      })
      const configs = {}
      for (const res of r.resources) {
        if (res.errorCode !== 0) throw Object.assign(new Error(res.errorMessage), { code: res.errorCode })
        for (const e of res.configEntries) configs[e.configName] = e.configValue
      }
      return { configs }
    } finally {
      await admin.disconnect()
    }
  },

  async 'alter-configs'(kafka, req) {
    const admin = kafka.admin()
    await admin.connect()
    try {
      await admin.alterConfigs({
        validateOnly: false,
        resources: [
          {
            type: ConfigResourceTypes.TOPIC,
            name: req.topic,
            configEntries: Object.entries(req.configs).map(([name, value]) => ({ name, value })),
          },
        ],
      })
      return {}
    } finally {
      await admin.disconnect()
    }
  },

  async produce(kafka, req) {
    const producer = kafka.producer({ allowAutoTopicCreation: true, idempotent: false })
    await producer.connect()
    try {
      const compression = req.compression
        ? CompressionTypes[{ gzip: 'GZIP', snappy: 'Snappy', lz4: 'LZ4', zstd: 'ZSTD' }[req.compression]]
        : CompressionTypes.None
      const messages = req.messages.map(m => {
        const out = { key: m.key, value: m.value, partition: req.partition, headers: headersObject(m.headers) }
        if (m.timestamp !== null && m.timestamp !== undefined) out.timestamp = String(m.timestamp)
        return out
      })
      const r = await producer.send({ topic: req.topic, acks: req.acks, compression, messages })
      const [meta] = r.filter(x => x.partition === req.partition)
      return { baseOffset: parseInt(meta.baseOffset, 10), errorCode: meta.errorCode, results: r }
    } finally {
      await producer.disconnect()
    }
  },

  async offsets(kafka, req) {
    const admin = kafka.admin()
    await admin.connect()
    try {
      return { offsets: await admin.fetchTopicOffsets(req.topic) }
    } finally {
      await admin.disconnect()
    }
  },

  async 'offsets-by-time'(kafka, req) {
    const admin = kafka.admin()
    await admin.connect()
    try {
      return { offsets: await admin.fetchTopicOffsetsByTimestamp(req.topic, req.timestamp) }
    } finally {
      await admin.disconnect()
    }
  },

  async 'delete-records'(kafka, req) {
    const admin = kafka.admin()
    await admin.connect()
    try {
      // deleteTopicRecords looks up partition leaders before loading the
      // topic's metadata (KafkaJSTopicMetadataNotLoaded): load it first
      await admin.fetchTopicMetadata({ topics: [req.topic] })
      await admin.deleteTopicRecords({
        topic: req.topic,
        partitions: [{ partition: req.partition, offset: String(req.offset) }],
      })
      return {}
    } finally {
      await admin.disconnect()
    }
  },

  // Group-based consumption (needs FindCoordinator/JoinGroup/SyncGroup/Heartbeat).
  async 'consume-group'(kafka, req) {
    return consumeInGroup(kafka, req, false)
  },

  // Starts `members` consumers in one group and waits until their assignments (from GROUP_JOIN events)
  // are non-empty, disjoint and cover `partitions` partitions; then asks the broker (DescribeGroups) for
  // the group's state and each member's assignment, as the broker holds it.
  async 'group-assign'(kafka, req) {
    const consumers = []
    const assigned = new Map()
    try {
      await new Promise((resolve, reject) => {
        const check = () => {
          const all = [...assigned.values()]
          if (all.length < req.members || all.some(a => a.length === 0)) return
          const union = new Set(all.flat())
          if (union.size === req.partitions && all.reduce((n, a) => n + a.length, 0) === req.partitions) resolve()
        }
        const start = async i => {
          const c = kafka.consumer({ groupId: req.group, retry: { retries: 2 } })
          consumers.push(c)
          c.on(c.events.GROUP_JOIN, ev => {
            assigned.set(i, (ev.payload.memberAssignment[req.topic] || []).slice())
            check()
          })
          c.on(c.events.CRASH, ev => reject(ev.payload.error))
          await c.connect()
          await c.subscribe({ topic: req.topic, fromBeginning: true })
          await c.run({ autoCommit: false, eachMessage: async () => {} })
        }
        for (let i = 0; i < req.members; i++) start(i).catch(reject)
      })
      return { described: await describeGroup(kafka, req.group, req.topic) }
    } finally {
      await Promise.all(consumers.map(c => c.disconnect()))
    }
  },

  // `members` consumers in one group consume `topic` and commit each record after processing it, until
  // `count` records arrived; then the first member stops, `more` records are produced (round robin over
  // `partitions`), and the others consume until all `count + more` arrived. Returns every record
  // consumed, with the member that got it.
  async 'group-consume-commit'(kafka, req) {
    const consumers = []
    const got = []
    let target = req.count
    let reached = null
    const waitFor = n =>
      new Promise(resolve => {
        target = n
        reached = resolve
        if (got.length >= n) resolve()
      })
    try {
      const crashed = new Promise((_, reject) => {
        for (let i = 0; i < req.members; i++) {
          const c = kafka.consumer({ groupId: req.group, retry: { retries: 2 } })
          consumers.push(c)
          c.on(c.events.CRASH, ev => reject(ev.payload.error))
        }
      })
      crashed.catch(() => {})
      const run = async (c, i) => {
        await c.connect()
        await c.subscribe({ topic: req.topic, fromBeginning: true })
        await c.run({
          autoCommit: false,
          eachMessage: async ({ topic, partition, message }) => {
            // Counted once committed: a commit refused by a rebalance leaves the record to the next owner.
            try {
              await c.commitOffsets([{ topic, partition, offset: String(parseInt(message.offset, 10) + 1) }])
            } catch (e) {
              return // a rebalance follows; the partition's next owner resumes from the last commit
            }
            got.push({ member: i, partition, offset: parseInt(message.offset, 10), value: message.value.toString() })
            if (got.length >= target && reached) reached()
          },
        })
      }
      await Promise.race([Promise.all(consumers.map(run)), crashed])
      await Promise.race([waitFor(req.count), crashed])
      const firstPhase = got.length
      await consumers[0].disconnect()
      const producer = kafka.producer()
      await producer.connect()
      const messages = []
      for (let k = 0; k < req.more; k++) messages.push({ partition: k % req.partitions, value: `more-${k}` })
      await producer.send({ topic: req.topic, acks: -1, messages })
      await producer.disconnect()
      await Promise.race([waitFor(req.count + req.more), crashed])
      return { messages: got, firstPhase }
    } finally {
      await Promise.all(consumers.slice(1).map(c => c.disconnect()))
    }
  },

  // Consumes `count` records through the group and commits after each one; returns them.
  async 'consume-commit'(kafka, req) {
    return consumeInGroup(kafka, req, true)
  },
}

// Reads `req.count` records of `req.topic` as a member of `req.group`, from the beginning when the
// group has no committed offsets; with `commit`, commits each record's next offset before counting it.
async function consumeInGroup(kafka, req, commit) {
  const consumer = kafka.consumer({ groupId: req.group, retry: { retries: 2 } })
  const got = []
  await consumer.connect()
  try {
    await consumer.subscribe({ topic: req.topic, fromBeginning: true })
    await new Promise((resolve, reject) => {
      consumer.on(consumer.events.CRASH, ev => reject(ev.payload.error))
      consumer
        .run({
          autoCommit: false,
          eachMessage: async ({ topic, partition, message }) => {
            if (got.length >= req.count) return
            if (commit)
              await consumer.commitOffsets([{ topic, partition, offset: String(parseInt(message.offset, 10) + 1) }])
            got.push({
              partition,
              offset: parseInt(message.offset, 10),
              key: message.key === null ? null : message.key.toString(),
              value: message.value === null ? null : message.value.toString(),
              headers: Object.entries(message.headers || {}).map(([k, v]) => [k, v.toString()]),
              timestamp: parseInt(message.timestamp, 10),
            })
            if (got.length >= req.count) resolve()
          },
        })
        .catch(reject)
    })
    return { messages: got }
  } finally {
    await consumer.disconnect()
  }
}

// The group as the broker describes it: state, and each member's assigned partitions of `topic`.
async function describeGroup(kafka, group, topic) {
  const admin = kafka.admin()
  await admin.connect()
  try {
    const { groups } = await admin.describeGroups([group])
    const [g] = groups
    return {
      state: g.state,
      members: g.members.map(m => {
        const a = m.memberAssignment.length ? AssignerProtocol.MemberAssignment.decode(m.memberAssignment) : null
        return { memberId: m.memberId, partitions: a && a.assignment[topic] ? a.assignment[topic] : [] }
      }),
    }
  } finally {
    await admin.disconnect()
  }
}

async function main() {
  const [cmd, bootstrap] = process.argv.slice(2)
  if (!commands[cmd] || !bootstrap) {
    console.error(`usage: kjs.js {${Object.keys(commands).join('|')}} BOOTSTRAP < request.json`)
    process.exit(2)
  }
  const req = await readStdin()
  const kafka = new Kafka({
    clientId: 'sluice-tests',
    brokers: [bootstrap],
    logLevel: logLevel.ERROR,
    // logs go to stderr; stdout carries only the result line
    logCreator: () => ({ namespace, level, log }) =>
      process.stderr.write(`${namespace} ${JSON.stringify(log)}\n`),
    connectionTimeout: 10000,
    requestTimeout: 30000,
    retry: { retries: 3 },
  })
  const timer = setTimeout(() => {
    console.log(JSON.stringify({ ok: false, error: `deadline ${DEADLINE_MS}ms exceeded`, type: 'DEADLINE', code: null }))
    process.exit(0)
  }, DEADLINE_MS)
  try {
    const r = await commands[cmd](kafka, req)
    console.log(JSON.stringify({ ok: true, ...r }))
  } catch (e) {
    console.log(JSON.stringify({ ok: false, ...errorInfo(e) }))
  }
  clearTimeout(timer)
  process.exit(0)
}

main().catch(e => {
  console.error(e)
  process.exit(1)
})
