namespace Baton.Docs.Tests;

/// <summary>Finds the repository's files from the test's output folder.</summary>
internal static class Repository
{
    private static readonly Lazy<string> LazyRoot = new(FindRoot);

    /// <summary>The folder holding Baton.slnx.</summary>
    public static string Root => LazyRoot.Value;

    /// <summary>README.md and every page of docs/, as paths relative to the root.</summary>
    public static IReadOnlyList<string> Pages()
    {
        var pages = new List<string> { "README.md" };
        pages.AddRange(Directory.GetFiles(Path.Combine(Root, "docs"), "*.md")
            .Select(p => Path.GetRelativePath(Root, p).Replace('\\', '/'))
            .Order(StringComparer.Ordinal));
        return pages;
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Baton.slnx"))) return dir.FullName;
        }

        throw new InvalidOperationException($"no Baton.slnx above {AppContext.BaseDirectory}");
    }
}
