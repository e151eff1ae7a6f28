using System.IO.MemoryMappedFiles;

namespace Optimizer.Runtime;

/// <summary>
/// A read-only file mapped into memory as an <see cref="UnmanagedMemoryStream"/> of exactly the file's
/// length, so <see cref="Compiled.KernelProgram.Load(Stream, Stream?)"/> reads its weights in place as it does an
/// embedded resource's: the OS pages them in on use and shares them between processes. Disposing
/// it unmaps the file.
/// </summary>
internal sealed unsafe class MappedFileStream : UnmanagedMemoryStream
{
    private MemoryMappedFile? _file;
    private MemoryMappedViewAccessor? _view;

    private MappedFileStream(MemoryMappedFile file, MemoryMappedViewAccessor view, byte* start, long length)
        : base(start, length)
    {
        _file = file;
        _view = view;
    }

    /// <exception cref="InvalidOperationException">The file is empty (nothing to map) or cannot be read.</exception>
    public static MappedFileStream Open(string path)
    {
        FileStream? stream = null;
        MemoryMappedFile? file = null;
        MemoryMappedViewAccessor? view = null;
        try
        {
            stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read);
            long length = stream.Length;
            if (length == 0)
            {
                throw new IOException("the file is empty");
            }

            // The mapping owns the file from here (leaveOpen: false).
            file = MemoryMappedFile.CreateFromFile(stream, null, 0, MemoryMappedFileAccess.Read, HandleInheritability.None, leaveOpen: false);
            view = file.CreateViewAccessor(0, length, MemoryMappedFileAccess.Read);
            byte* start = null;
            view.SafeMemoryMappedViewHandle.AcquirePointer(ref start);
            return new MappedFileStream(file, view, start + view.PointerOffset, length);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            view?.Dispose();
            if (file is null)
            {
                stream?.Dispose();
            }
            else
            {
                file.Dispose();
            }

            throw new InvalidOperationException($"'{path}' cannot be mapped into memory: {ex.Message}. Build the project again.", ex);
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing && _view is not null)
        {
            _view.SafeMemoryMappedViewHandle.ReleasePointer();
            _view.Dispose();
            _file!.Dispose();
            _view = null;
            _file = null;
        }

        base.Dispose(disposing);
    }
}
