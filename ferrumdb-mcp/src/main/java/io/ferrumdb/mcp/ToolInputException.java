package io.ferrumdb.mcp;

/** A tool argument of the wrong type or out of range; the message names the argument and is shown to the model. */
final class ToolInputException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    ToolInputException(String argument, String problem) {
        super(argument + ": " + problem);
    }
}
