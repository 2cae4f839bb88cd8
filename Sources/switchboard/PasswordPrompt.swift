import ArgumentParser
import Foundation

/// Reads a password: from the terminal with echo off, or one line of standard input when it
/// is not a terminal (scripts, tests). Never from the command line, where `ps` would show it.
enum PasswordPrompt {
    static func read(_ prompt: String) throws -> String {
        let interactive = isatty(STDIN_FILENO) == 1
        var saved = termios()
        if interactive {
            FileHandle.standardError.write(Data(prompt.utf8))
            tcgetattr(STDIN_FILENO, &saved)
            var silent = saved
            silent.c_lflag &= ~tcflag_t(ECHO)
            tcsetattr(STDIN_FILENO, TCSAFLUSH, &silent)
        }
        defer {
            if interactive {
                tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved)
                FileHandle.standardError.write(Data("\n".utf8))
            }
        }
        guard let line = readLine(strippingNewline: true), !line.isEmpty else {
            throw ValidationError("no password given")
        }
        return line
    }
}
