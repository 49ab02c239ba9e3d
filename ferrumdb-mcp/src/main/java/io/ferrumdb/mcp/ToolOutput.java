package io.ferrumdb.mcp;

import java.util.Map;

/** A tool's result: the structured content (a JSON object) and its rendering as text for the model. */
record ToolOutput(Map<String, Object> structured, String text) {
}
