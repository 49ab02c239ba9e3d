package io.ferrumdb.cli;

import java.util.concurrent.Callable;
import picocli.AutoComplete;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

@Command(name = "completion", mixinStandardHelpOptions = true,
        footerHeading = Cli.EXAMPLES, footer = {
            "  source <(ferrumdb completion)         in ~/.bashrc: Tab completes commands"},
        description = "Prints a bash completion script. Use: source <(./ferrumdb completion)")
final class CompletionCommand implements Callable<Integer> {
    @ParentCommand
    Cli cli;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        cli.io.out().print(AutoComplete.bash("ferrumdb", spec.root().commandLine()));
        return ExitCode.OK;
    }
}
