using BenchmarkDotNet.Running;
using Baton.Benchmarks;
using Baton.Benchmarks.Probes;

// dotnet run -c Release --project bench/Baton.Benchmarks -- [--quick] [--suite NAME] [BenchmarkDotNet options]
//   smoke   runs every shape once on every side and prints what it got
//   probe   where Baton's time and bytes go, per step (see Probes/AllocationProbe.cs)
//   sse     100 concurrent viewers of one run's event stream: memory per viewer, none losing an event (Probes/SseViewersProbe.cs)
//   durable commit latency percentiles by payload size, and storage per turn of a long conversation (Probes/DurableProbe.cs)
//   failover  kill -9 of a baton worker to its run's next step on the other worker (Probes/FailoverProbe.cs; Redis, PostgreSQL)
if (args is ["smoke", ..])
{
    await Smoke.RunAsync().ConfigureAwait(false);
    return 0;
}

if (args is ["durable", ..])
{
    await DurableProbe.RunAsync().ConfigureAwait(false);
    return 0;
}

if (args is ["sse", ..])
{
    await SseViewersProbe.RunAsync(args[1..]).ConfigureAwait(false);
    return 0;
}

if (args is ["failover", ..])
{
    await FailoverProbe.RunAsync(args[1..]).ConfigureAwait(false);
    return 0;
}

if (args is ["probe", ..])
{
    await AllocationProbe.RunAsync(args[1..]).ConfigureAwait(false);
    return 0;
}

var quick = args.Contains("--quick");
var rest = new List<string>();
for (var i = 0; i < args.Length; i++)
{
    if (args[i] == "--quick") continue;
    if (args[i] == "--suite" && i + 1 < args.Length)
    {
        rest.AddRange(["--filter", $"*{SuiteNames.Resolve(args[++i])}*"]);
        continue;
    }

    rest.Add(args[i]);
}

if (!rest.Contains("--filter") && !rest.Contains("-f") && !rest.Contains("--list")) rest.AddRange(["--filter", "*"]);

var summaries = BenchmarkSwitcher.FromAssembly(typeof(BenchConfig).Assembly).Run([.. rest], BenchConfig.Create(quick)).ToList();
if (summaries.Count == 0) return 1;

var targets = Targets.Describe(summaries);
Console.WriteLine();
Console.WriteLine("// * Targets (derived from this run) *");
Console.WriteLine(targets);
var directory = summaries[0].ResultsDirectoryPath;
Directory.CreateDirectory(directory);
await File.WriteAllTextAsync(Path.Combine(directory, "targets.md"), targets).ConfigureAwait(false);
Console.WriteLine($"targets written to {Path.Combine(directory, "targets.md")}");
return summaries.Any(s => s.HasCriticalValidationErrors || s.Reports.Any(r => !r.Success)) ? 1 : 0;
