namespace Baton.Cli.Tests;

/// <summary>What the native build of the command (docs/cli.md, "The native command") refuses, and the portable build does not.</summary>
public sealed class NativeBuildTests : IDisposable
{
    private readonly BatonCommand _baton = new();

    public void Dispose() => _baton.Dispose();

    [Theory]
    [InlineData("worker", "--cluster", "127.0.0.1:1", "--store", "runs.db")]
    [InlineData("run", "report.yaml", "--cluster", "127.0.0.1:1", "--store", "runs.db")]
    public async Task A_cluster_command_exits_2_with_one_line_and_the_native_build_says_it_cannot_join_a_cluster(params string[] args)
    {
        File.Copy(CommandTests.Sample("report.yaml"), Path.Combine(_baton.Folder, "report.yaml"));

        var (exit, _, stderr) = await _baton.RunAsync(args);

        // Both builds refuse before touching any server: the native one because it cannot join a cluster at all, the
        // portable one because a cluster's store must be PostgreSQL.
        Assert.Equal(2, exit);
        var native = Environment.GetEnvironmentVariable("BATON_TEST_EXECUTABLE") is { Length: > 0 };
        Assert.Equal(native, stderr.Contains("the native baton cannot join a cluster", StringComparison.Ordinal));
        Assert.Equal(native, !stderr.Contains("PostgreSQL", StringComparison.Ordinal));
        Assert.DoesNotContain(" at ", stderr, StringComparison.Ordinal);
    }
}
