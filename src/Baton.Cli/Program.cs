using System.CommandLine;
using Baton.Cli;
using Baton.Storage;

// baton: run, validate and inspect Baton workflow files. Exit codes: 0 succeeded, 1 failed, 2 invalid file or usage,
// 3 waiting for a human, 4 not finished (runs show), 130 cancelled. `baton help [COMMAND]` prints help (exit 0);
// `baton` alone prints it too, but exits 2: nothing was asked for.
var json = new Option<bool>("--json") { Description = "Print one JSON object instead of text (and no progress)." };
var store = new Option<string?>("--store") { Description = "A SQLite file path or a PostgreSQL connection string (default: BATON_STORE, else .baton/baton.db)." };
var file = new Argument<string>("FILE") { Description = "The workflow file." };
var inputs = new Option<string[]>("--input") { Description = "An input, name=value (JSON when it parses as JSON, else text); repeat for more." };
var inputFile = new Option<string?>("--input-file") { Description = "A JSON or YAML file with the inputs." };
var runId = new Argument<string>("RUN") { Description = "The run's id." };
var value = new Option<string>("--value") { Description = "The answer.", Required = true };
var at = new Option<long>("--at") { Description = "The journal entry to continue from (its number in runs history).", Required = true };
var sets = new Option<string[]>("--set") { Description = "A state value to change first, name=value (JSON when it parses as JSON, else text); repeat for more." };
var models = new Option<string[]>("--model") { Description = "Swap a model of the file for another provider's, NAME=openai:MODEL or NAME=ollama:MODEL (http://localhost:11434/v1); repeat for more." };
var status = new Option<string?>("--status") { Description = "Only runs with this status: running, waiting, succeeded, failed or cancelled." };
var workflowName = new Option<string?>("--workflow") { Description = "Only runs of this workflow (its name)." };

var cluster = new Option<string?>("--cluster") { Description = "The cluster's Redis connection string, e.g. 127.0.0.1:6379 (default: BATON_CLUSTER); needs a PostgreSQL --store." };
var run = new Command("run", "Run a workflow file and print its output.") { file, inputs, inputFile, models, json, store, cluster };
run.SetAction((p, ct) => Guard(() => Commands.RunAsync(p.GetValue(file)!, p.GetValue(inputs), p.GetValue(inputFile), p.GetValue(models), p.GetValue(json), p.GetValue(store), ct, p.GetValue(cluster))));
var validate = new Command("validate", "Check a workflow file; print every problem as file:line:column: message.") { file };
validate.SetAction((p, ct) => Guard(() => Commands.ValidateAsync(p.GetValue(file)!)));
var graph = new Command("graph", "Print a workflow file as a Mermaid flowchart.") { file };
graph.SetAction((p, ct) => Guard(() => Commands.GraphAsync(p.GetValue(file)!)));

var list = new Command("list", "List the runs in the store, newest first.") { status, workflowName, json, store };
list.SetAction((p, ct) => Guard(() => Commands.ListAsync(p.GetValue(json), p.GetValue(status), p.GetValue(workflowName), p.GetValue(store), ct)));
var show = new Command("show", "Show one run: its steps, their status, attempts, time and tokens, and its error (--json: the run report); exit code by its status, 4 while it runs.") { runId, json, store };
show.SetAction((p, ct) => Guard(() => Commands.ShowAsync(p.GetValue(runId)!, p.GetValue(json), p.GetValue(store), ct)));
var history = new Command("history", "Every journal entry of a run, numbered: step path, status, output, state written.") { runId, json, store };
history.SetAction((p, ct) => Guard(() => Commands.HistoryAsync(p.GetValue(runId)!, p.GetValue(json), p.GetValue(store), ct)));
var fork = new Command("fork", "Start a new run continuing from entry N of a run, with state edited, in this process.") { runId, at, sets, json, store };
fork.SetAction((p, ct) => Guard(() => Commands.ForkAsync(p.GetValue(runId)!, p.GetValue(at), p.GetValue(sets), p.GetValue(json), p.GetValue(store), ct)));
var resume = new Command("resume", "Continue a run that crashed or was stopped, in this process (with --cluster: on a worker of the cluster).") { runId, json, store, cluster };
resume.SetAction((p, ct) => Guard(() => Commands.ResumeAsync(p.GetValue(runId)!, p.GetValue(json), p.GetValue(store), ct, p.GetValue(cluster))));
var answer = new Command("answer", "Answer a waiting ask and continue the run in this process (with --cluster: on a worker of the cluster).") { runId, value, json, store, cluster };
answer.SetAction((p, ct) => Guard(() => Commands.AnswerAsync(p.GetValue(runId)!, p.GetValue(value)!, p.GetValue(json), p.GetValue(store), ct, p.GetValue(cluster))));
var cancel = new Command("cancel", "Cancel a run.") { runId, store };
cancel.SetAction((p, ct) => Guard(() => Commands.CancelAsync(p.GetValue(runId)!, p.GetValue(store), ct)));
var runs = new Command("runs", "Inspect and continue stored runs.") { list, show, history, fork, resume, answer, cancel };

var servePaths = new Argument<string[]>("FILE or DIR") { Description = "Workflow files, and folders of them, to offer.", Arity = ArgumentArity.ZeroOrMore };
var port = new Option<int>("--port") { Description = "The port to listen on.", DefaultValueFactory = _ => ServeCommand.DefaultPort };
var host = new Option<string?>("--host") { Description = "The address to listen on (default 127.0.0.1); any other than loopback needs --token." };
var token = new Option<string?>("--token") { Description = "The token clients send as Authorization: Bearer TOKEN (default: BATON_TOKEN)." };
var serve = new Command("serve", "Serve the HTTP API for the runs in the store and the workflow files given (with --cluster: runs execute on the cluster's workers).") { servePaths, port, host, token, store, cluster };
serve.SetAction((p, ct) => Guard(() => ServeCommand.RunAsync(p.GetValue(servePaths) ?? [], p.GetValue(port), p.GetValue(host), p.GetValue(token), p.GetValue(store), ct, p.GetValue(cluster))));

var mcpPaths = new Argument<string[]>("FILE or DIR") { Description = "Workflow files, and folders of them, to offer as tools.", Arity = ArgumentArity.OneOrMore };
var mcp = new Command("mcp", "Serve workflow files as Model Context Protocol tools over stdio (each call runs the workflow in the store).") { mcpPaths, store };
mcp.SetAction((p, ct) => Guard(() => McpCommand.RunAsync(p.GetValue(mcpPaths) ?? [], p.GetValue(store), ct)));

var capabilities = new Option<string[]>("--capability") { Description = "Something this worker has that others may not (e.g. gpu): runs whose steps draw on a resource of that name come here; repeat for more." };
var address = new Option<string?>("--address") { Description = "The IP address this worker advertises to the cluster (default: 127.0.0.1 when Redis is on this machine, else this machine's)." };
var worker = new Command("worker", "Join a cluster and run the workflows handed to it until stopped.") { cluster, store, capabilities, address };
worker.SetAction((p, ct) => Guard(() => ClusterCommands.WorkerAsync(p.GetValue(cluster), p.GetValue(store), p.GetValue(capabilities), p.GetValue(address), ct)));

var root = new RootCommand("baton: run many AI agents as one reliable system, from workflow files.") { run, validate, graph, runs, serve, mcp, worker };
if (args.Length == 0)
{
    root.Parse(["--help"]).Invoke();
    return ExitCodes.Invalid;
}

if (args[0] == "help")
{
    // `baton help runs show` is `baton runs show --help`; a mistyped command still gets its "did you mean".
    var help = root.Parse([.. args[1..], "--help"]);
    if (help.UnmatchedTokens.Count > 0) return Invalid(help);
    help.Invoke();
    return ExitCodes.Succeeded;
}

var parsed = root.Parse(args);
if (parsed.Errors.Count > 0) return Invalid(parsed);

return await parsed.InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = TimeSpan.FromSeconds(10) });

static int Invalid(ParseResult parsed)
{
    foreach (var message in CommandLineErrors.Describe(parsed)) Console.Error.WriteLine($"baton: {message}");
    return ExitCodes.Invalid;
}

// Errors are one readable line, never a stack trace.
static async Task<int> Guard(Func<Task<int>> command)
{
    try
    {
        return await command();
    }
    catch (InvalidWorkflowFileException invalid)
    {
        foreach (var error in invalid.Errors) Console.Error.WriteLine(error);
        return ExitCodes.Invalid;
    }
    catch (UsageException usage)
    {
        Console.Error.WriteLine($"baton: {usage.Message}");
        return ExitCodes.Invalid;
    }
    catch (StoreFormatException format)
    {
        Console.Error.WriteLine($"baton: {format.Message}");
        return ExitCodes.Invalid;
    }
    catch (OperationCanceledException)
    {
        Console.Error.WriteLine("baton: cancelled");
        return ExitCodes.Cancelled;
    }
    catch (Exception ex)
    {
        Console.Error.WriteLine($"baton: {ex.Message}");
        return ExitCodes.Failed;
    }
}
