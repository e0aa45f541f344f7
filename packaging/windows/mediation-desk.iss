; Inno Setup 6 script: the Windows installer of Mediation Desk (调解工作台).
; Build dist\mediation-desk\ with PyInstaller first (see packaging\README.md), then:
;   "C:\Program Files (x86)\Inno Setup 6\ISCC.exe" packaging\windows\mediation-desk.iss
; The installer is written to dist\installer\mediation-desk-setup-<version>.exe.
;
; - Per-user install (no administrator needed): {autopf} is %LOCALAPPDATA%\Programs for such installs.
; - The AppId below never changes: a newer installer finds the old installation and upgrades it in place.
; - The data (database, attachments, backups, keys, logs) lives in %LOCALAPPDATA%\MediationDesk, which the
;   program creates itself; the installer never writes there and the uninstaller never deletes it.

#define AppName "调解工作台"
#define AppNameEn "Mediation Desk"
#ifndef AppVersion
  #define AppVersion "0.1.0"
#endif
#define SourceDir "..\..\dist\mediation-desk"

; Simplified Chinese is an official translation since Inno Setup 6.3; older versions keep it in Unofficial\,
; and a copy placed beside this script is used when neither is there.
#if FileExists(CompilerPath + "Languages\ChineseSimplified.isl")
  #define ChineseIsl "compiler:Languages\ChineseSimplified.isl"
#elif FileExists(CompilerPath + "Languages\Unofficial\ChineseSimplified.isl")
  #define ChineseIsl "compiler:Languages\Unofficial\ChineseSimplified.isl"
#else
  #define ChineseIsl "ChineseSimplified.isl"
#endif

[Setup]
AppId={{88AF39A8-7DD9-42A3-B2FF-DCDC75C6C92A}
AppName={#AppName}
AppVersion={#AppVersion}
AppVerName={#AppName} {#AppVersion}
AppPublisher={#AppNameEn}
DefaultDirName={autopf}\MediationDesk
DefaultGroupName={#AppName}
DisableProgramGroupPage=yes
PrivilegesRequired=lowest
PrivilegesRequiredOverridesAllowed=dialog
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
OutputDir=..\..\dist\installer
OutputBaseFilename=mediation-desk-setup-{#AppVersion}
SetupIconFile=..\icons\mediation-desk.ico
UninstallDisplayIcon={app}\mediation-desk.exe
UninstallDisplayName={#AppName}
Compression=lzma2/max
SolidCompression=yes
WizardStyle=modern
; the program must not run while its files are replaced
CloseApplications=yes
RestartApplications=no

[Languages]
Name: "chinesesimplified"; MessagesFile: "{#ChineseIsl}"
Name: "english"; MessagesFile: "compiler:Default.isl"

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"

[Files]
Source: "{#SourceDir}\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[InstallDelete]
; an upgrade replaces the bundled libraries whole, so a file the new version no longer ships cannot linger
Type: filesandordirs; Name: "{app}\_internal"

[Icons]
Name: "{autoprograms}\{#AppName}"; Filename: "{app}\mediation-desk.exe"; Comment: "{#AppNameEn}"
Name: "{autodesktop}\{#AppName}"; Filename: "{app}\mediation-desk.exe"; Tasks: desktopicon; Comment: "{#AppNameEn}"

[Run]
Filename: "{app}\mediation-desk.exe"; Description: "{cm:LaunchProgram,{#AppName}}"; Flags: nowait postinstall skipifsilent

; No [UninstallDelete] section, on purpose: uninstalling removes the program's own files only. The data
; directory %LOCALAPPDATA%\MediationDesk (and any backups on USB sticks) stays for a reinstall or a restore.
