import polib
po = polib.pofile('i18n/de.po')
for e in po:
    if e.msgid.startswith('Use these keywords in the title'):
        e.msgstr = ("Verwenden Sie diese Schlagwörter im Titel, um neue Aufgaben zu erstellen:\n\n"
            "            #Stichwörter Stichwörter für Aufgabe festlegen\n"
            "            @Benutzer Die Aufgabe einem Benutzer zuweisen\n"
            "            ! Aufgabe als mittlere Priorität einstellen\n"
            "            !! Aufgabe als hohe Priorität einstellen\n"
            "            !!! Aufgabe als dringende Priorität einstellen\n\n"
            "            Stellen Sie sicher, dass Sie das richtige Format und die richtige Reihenfolge verwenden, z. B. Verbessern Sie den Konfigurationsbildschirm #Funktion #v16 @Mitchell !")
    if e.msgid == 'Default Salesperson':
        e.msgstr = 'Standard-Vertriebsmitarbeiter'
po.metadata['Plural-Forms'] = 'nplurals=2; plural=n != 1;'
po.metadata['Content-Transfer-Encoding'] = ''
po.save('i18n/de.po')
