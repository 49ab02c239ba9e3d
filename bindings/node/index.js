'use strict';
// FerrumDB for Node.js: the embedded FerrumDB key-value and document database, running in-process on the Java
// engine through java-bridge. The engine's jar ships inside this package.

const { FerrumDB } = require('./lib/db');
const { DocumentStore, Collection } = require('./lib/documents');
const { AgentMemory } = require('./lib/memory');
const errors = require('./lib/errors');

module.exports = { FerrumDB, DocumentStore, Collection, AgentMemory, ...errors };
