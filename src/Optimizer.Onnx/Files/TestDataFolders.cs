using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;

namespace Optimizer.Onnx.Files;

/// <summary>
/// ONNX's test-data layout, as a data option may declare it: a folder of <c>test_data_set_*</c>
/// folders (or one such folder), each one complete feed of <c>input_&lt;i&gt;.pb</c> TensorProto
/// files. One rule for the build task (which hashes the files) and the engine (which reads them),
/// with bounds so a declared folder cannot make either enumerate without end.
/// </summary>
public static class TestDataFolders
{
    /// <summary>The folder prefix of one feed.</summary>
    public const string FeedPrefix = "test_data_set_";

    /// <summary>At most this many feeds are read from one folder.</summary>
    public const int MaxFeeds = 100_000;

    /// <summary>At most this many input files in one feed (more inputs than any model has).</summary>
    public const int MaxInputsPerFeed = 1024;

    private static readonly Regex InputFile = new(@"^input_(\d{1,4})\.pb$", RegexOptions.CultureInvariant);

    /// <summary>Whether <paramref name="fullPath"/> is a folder (data options may then name test-data feeds).</summary>
    public static bool IsFolder(string fullPath) => Directory.Exists(fullPath);

    /// <summary>
    /// The feed folders under <paramref name="root"/>, ordinal by name: the root itself when it is a
    /// <c>test_data_set_*</c> folder, else its <c>test_data_set_*</c> subfolders.
    /// </summary>
    /// <exception cref="InvalidDataException">No feed folder, or more than <see cref="MaxFeeds"/>.</exception>
    public static IReadOnlyList<string> FeedFolders(string root)
    {
        if (Path.GetFileName(root.TrimEnd(Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar)).StartsWith(FeedPrefix, StringComparison.Ordinal))
        {
            return new[] { root };
        }

        var feeds = Directory.EnumerateDirectories(root, FeedPrefix + "*", SearchOption.TopDirectoryOnly)
            .Take(MaxFeeds + 1)
            .OrderBy(f => f, StringComparer.Ordinal)
            .ToList();
        if (feeds.Count == 0)
        {
            throw new InvalidDataException($"holds no {FeedPrefix}* folder (ONNX's test-data layout: {FeedPrefix}0/input_0.pb, …)");
        }

        return feeds.Count > MaxFeeds
            ? throw new InvalidDataException($"holds more than {MaxFeeds} {FeedPrefix}* folders; a few hundred feeds are enough")
            : feeds;
    }

    /// <summary>The feed's <c>input_&lt;i&gt;.pb</c> files by index <c>i</c>, which must run 0, 1, 2, … without a gap.</summary>
    /// <exception cref="InvalidDataException">No input file, a gap in the indices, or too many files.</exception>
    public static IReadOnlyList<string> InputFiles(string feedFolder)
    {
        var byIndex = new SortedDictionary<int, string>();
        foreach (var file in Directory.EnumerateFiles(feedFolder, "input_*.pb", SearchOption.TopDirectoryOnly).Take(MaxInputsPerFeed + 1))
        {
            var match = InputFile.Match(Path.GetFileName(file));
            if (match.Success)
            {
                byIndex[int.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture)] = file;
            }
        }

        var name = Path.GetFileName(feedFolder);
        if (byIndex.Count == 0 || byIndex.Count > MaxInputsPerFeed)
        {
            throw new InvalidDataException(byIndex.Count == 0
                ? $"has a feed '{name}' with no input_<i>.pb file"
                : $"has a feed '{name}' with more than {MaxInputsPerFeed} input files");
        }

        var expected = 0;
        foreach (var index in byIndex.Keys)
        {
            if (index != expected++)
            {
                throw new InvalidDataException($"has a feed '{name}' with input_{index}.pb but no input_{expected - 1}.pb; number the inputs 0, 1, 2, … in the model's input order");
            }
        }

        return byIndex.Values.ToList();
    }
}
