// NumPy's .npz (numpy.savez / savez_compressed) is a zip holding one `<name>.npy` per array,
// stored or deflated. It is untrusted input: the zip directory's declared sizes are checked
// before anything is inflated (NpzLimits), each member is inflated only up to its declared size,
// its .npy header must account for exactly those bytes, and object arrays (pickles) are refused
// from their header: nothing here ever unpickles.

using System.IO.Compression;
using Optimizer.Engine.Diagnostics;
using Optimizer.Engine.Plans;
using Optimizer.Passes;

namespace Optimizer.Engine.DataFiles;

/// <summary>Reads every array of a <c>.npz</c> (see the top of this file for what is checked).</summary>
internal static class NpzArchive
{
    private const string Member = ".npy";

    /// <summary>Opens the file a plan names (through <see cref="DataFile.Open"/>) and reads its arrays.</summary>
    /// <param name="option">What the file is, as the user declared it, e.g. "Calibration".</param>
    /// <exception cref="EngineException">As <see cref="Read(Stream, string, string, DiagnosticLocation?, NpzLimits?)"/>, or the file is missing or refused.</exception>
    public static IReadOnlyList<NpzArray> Read(OptimizationPlan plan, string declared, string option, DiagnosticLocation? at)
    {
        using var stream = DataFile.Open(plan, declared, option, at);
        return Read(stream, declared, option, at);
    }

    /// <summary>Reads the arrays of the archive in <paramref name="stream"/> (seekable), in the archive's order.</summary>
    /// <param name="declared">The file as the user named it, for messages.</param>
    /// <param name="option">What the file is, e.g. "Calibration", for messages.</param>
    /// <exception cref="EngineException">
    /// A zip bomb or more than the limits (<see cref="EngineErrorCodes.DataFileRefused"/>); a corrupt or
    /// truncated zip, a member that is not a top-level <c>name.npy</c>, a duplicate or malformed array
    /// (<see cref="PassErrorCodes.CalibrationDataInvalid"/>); a dtype other than <see cref="NpyDtype.All"/>,
    /// an object array, Fortran order or an unsupported zip method (<see cref="PassErrorCodes.CalibrationDataNotSupported"/>);
    /// NaN or infinity in a float array (<see cref="EngineErrorCodes.DataFileValuesInvalid"/>).
    /// </exception>
    public static IReadOnlyList<NpzArray> Read(Stream stream, string declared, string option, DiagnosticLocation? at, NpzLimits? limits = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        var problems = new Problems(declared, option, at);
        try
        {
            using var zip = new ZipArchive(stream, ZipArchiveMode.Read, leaveOpen: true);
            var members = Members(zip, problems);
            CheckDeclaredSizes(members, stream.Length, limits ?? NpzLimits.Default, problems);
            var arrays = members.Select(m => ReadMember(m.Entry, m.Name, problems)).ToList();
            foreach (var array in arrays)
            {
                DataValues.CheckFinite(array, declared, option, at);
            }

            return arrays;
        }
        catch (InvalidDataException e)
        {
            throw problems.Malformed($"is not a readable zip archive ({e.Message})", "Save it again with numpy.savez or numpy.savez_compressed.", e);
        }
        catch (NotSupportedException e)
        {
            throw problems.Unsupported($"uses a zip feature that is not read ({e.Message})", "Save it with numpy.savez or numpy.savez_compressed (stored or deflated, not encrypted).", e);
        }
        catch (IOException e)
        {
            throw problems.Refused($"it could not be read to the end ({e.Message})", "Check that nothing is writing it while the build runs.", e);
        }
    }

    /// <summary>The members, each a top-level <c>name.npy</c> with a name no other has.</summary>
    private static List<(ZipArchiveEntry Entry, string Name)> Members(ZipArchive zip, Problems problems)
    {
        var members = new List<(ZipArchiveEntry Entry, string Name)>();
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var entry in zip.Entries)
        {
            var fullName = entry.FullName;
            if (fullName.Contains('/') || fullName.Contains('\\'))
            {
                throw problems.Malformed($"holds '{fullName}', a path in a folder; arrays are top-level members named after the model input",
                    "Save the arrays with numpy.savez(path, name=array, ...) and nothing else in the archive.");
            }

            if (!fullName.EndsWith(Member, StringComparison.Ordinal) || fullName.Length == Member.Length)
            {
                throw problems.Malformed($"holds '{fullName}', which is not an array (.npz members are 'name.npy')",
                    "Save the arrays with numpy.savez(path, name=array, ...) and nothing else in the archive.");
            }

            var name = fullName[..^Member.Length];
            if (!names.Add(name))
            {
                throw problems.Malformed($"holds the array '{name}' twice", "Give each array its own name (one per model input).");
            }

            members.Add((entry, name));
        }

        if (members.Count == 0)
        {
            throw problems.Malformed("holds no arrays", "Save one array per model input with numpy.savez(path, input_name=array, ...).");
        }

        return members;
    }

    /// <summary>Refuses a zip bomb from the sizes the zip directory declares, before inflating anything.</summary>
    private static void CheckDeclaredSizes(List<(ZipArchiveEntry Entry, string Name)> members, long archiveBytes, NpzLimits limits, Problems problems)
    {
        const string Smaller = "Use a sample of the data (a few hundred to a few thousand samples are enough for calibration and validation).";
        if (members.Count > limits.MaxArrays)
        {
            throw problems.Refused($"it holds {members.Count} arrays; at most {limits.MaxArrays} are read (one per model input)", "Keep only the model's inputs in it.");
        }

        long total = 0;
        foreach (var (entry, name) in members)
        {
            if (entry.Length > limits.MaxArrayBytes)
            {
                throw problems.Refused($"its array '{name}' declares {entry.Length} bytes inflated, more than the {limits.MaxArrayBytes} one array may hold", Smaller);
            }

            total += entry.Length; // each at most MaxArrayBytes, and at most MaxArrays of them: no overflow
        }

        if (total > limits.MaxTotalBytes)
        {
            throw problems.Refused($"its arrays declare {total} bytes inflated, more than the {limits.MaxTotalBytes} read from one data file", Smaller);
        }

        if (total > limits.FreeInflatedBytes && total / Math.Max(1, archiveBytes) > limits.MaxRatio)
        {
            throw problems.Refused($"its {archiveBytes} bytes declare {total} bytes inflated ({total / Math.Max(1, archiveBytes)}:1), which is how a zip bomb looks; past {limits.FreeInflatedBytes >> 20} MiB at most {limits.MaxRatio}:1 is read",
                "Save real data with numpy.savez (uncompressed) or use a smaller sample.");
        }
    }

    /// <summary>Reads one member: its .npy header first, then exactly the bytes its shape needs, which must be all the member holds.</summary>
    private static NpzArray ReadMember(ZipArchiveEntry entry, string name, Problems problems)
    {
        var subject = $"The {problems.Option} file '{problems.Declared}', array '{name}',";
        using var stream = entry.Open();
        try
        {
            var header = NpyHeader.Read(stream, entry.Length, subject);
            var dtype = Dtype(header, problems.Unsupported, name);
            var dataBytes = entry.Length - header.DataStart;
            var needed = ByteCount(header.Shape, dtype.ItemSize, dataBytes);
            if (needed != dataBytes)
            {
                throw problems.Malformed($"has array '{name}' of shape ({string.Join(", ", header.Shape)}) and dtype '{dtype.Descr}', which needs {(needed < 0 ? "more" : needed.ToString(System.Globalization.CultureInfo.InvariantCulture))} bytes, but the member holds {dataBytes}",
                    "Save it again with numpy.savez.");
            }

            var bytes = new byte[dataBytes];
            stream.ReadExactly(bytes);
            if (stream.ReadByte() >= 0)
            {
                throw problems.Malformed($"has array '{name}' that inflates past the {entry.Length} bytes the zip declares (a corrupt archive or a zip bomb)", "Save it again with numpy.savez.");
            }

            if (dtype.ElementType == Onnx.TensorElementType.Bool && Array.FindIndex(bytes, b => b > 1) is var bad and >= 0)
            {
                throw problems.Malformed($"has bool array '{name}' holding byte {bytes[bad]} at flat index {bad}; NumPy writes 0 or 1", "Save it again with numpy.savez.");
            }

            return new NpzArray(name, dtype, header.Shape, bytes);
        }
        catch (PassException e)
        {
            // NpyHeader's problems already name the file and array; keep their code.
            throw new EngineException(e.Code, e.Message, problems.At, e);
        }
        catch (EndOfStreamException e)
        {
            throw problems.Malformed($"has array '{name}' that ends before the {entry.Length} bytes the zip declares (a truncated or corrupt archive)", "Save it again with numpy.savez.", e);
        }
    }

    /// <summary>The dtype of a C-order array of a dtype in <see cref="NpyDtype.All"/>; anything else is refused.</summary>
    private static NpyDtype Dtype(NpyHeader header, Func<string, string, Exception?, EngineException> unsupported, string name)
    {
        if (NpyDtype.IsObject(header.Descr))
        {
            throw unsupported($"has array '{name}' of Python objects (dtype '{header.Descr}'); object arrays hold pickles, which are never loaded",
                "Save numeric arrays (e.g. numpy.asarray(x, dtype=numpy.int64)).", null);
        }

        if (NpyDtype.Find(header.Descr) is not { } dtype)
        {
            throw unsupported($"has array '{name}' of dtype '{header.Descr}'; the dtypes read are {NpyDtype.Names}, little-endian",
                "Save it with array.astype() of the model input's type, e.g. '<f4' or '<i8'.", null);
        }

        if (header.FortranOrder)
        {
            throw unsupported($"has array '{name}' in Fortran order; only C order is read", "Save numpy.ascontiguousarray(array).", null);
        }

        return dtype;
    }

    /// <summary>
    /// The bytes <paramref name="shape"/> of <paramref name="itemSize"/>-byte values needs, or -1 when
    /// that is more than <paramref name="limit"/> (checked before each multiplication: no overflow).
    /// </summary>
    private static long ByteCount(long[] shape, int itemSize, long limit)
    {
        long bytes = itemSize;
        foreach (var d in shape)
        {
            if (d == 0)
            {
                return 0;
            }

            if (bytes > limit / d)
            {
                return -1;
            }

            bytes *= d;
        }

        return bytes;
    }

    /// <summary>Coded errors that name the file, the option and what to do.</summary>
    private sealed record Problems(string Declared, string Option, DiagnosticLocation? At)
    {
        public EngineException Malformed(string problem, string advice, Exception? inner = null) =>
            Error(PassErrorCodes.CalibrationDataInvalid, problem, advice, inner);

        public EngineException Unsupported(string problem, string advice, Exception? inner = null) =>
            Error(PassErrorCodes.CalibrationDataNotSupported, problem, advice, inner);

        public EngineException Refused(string problem, string advice, Exception? inner = null) =>
            new(EngineErrorCodes.DataFileRefused, $"The {Option} file '{Declared}' cannot be used: {problem}. {advice}", At, inner);

        private EngineException Error(string code, string problem, string advice, Exception? inner) =>
            new(code, $"The {Option} file '{Declared}' {problem}. {advice}", At, inner);
    }
}
